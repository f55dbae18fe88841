type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A vendor event a mapper takes its fields from. Whatever it does not take is left for the
 * schema's catch-all (OCSF `unmapped`, ECS the vendor namespace), so a mapping loses nothing.
 * Taking only records the key; `rest()` rebuilds just the objects something was taken from (and
 * their parents), so the event itself is never changed.
 */
export class Leftovers {
  /** Per object of the event: the keys taken from it. */
  private readonly taken = new Map<Json, Set<string>>();
  /** Objects on the way to a taken key: rebuilt by `rest()`, the others are kept as they are. */
  private readonly touched = new Set<Json>();

  constructor(private readonly event: Json) {}

  /** The value at `key` (or `key.sub`), without taking it. */
  peek(key: string, sub?: string): unknown {
    const value = this.event[key];
    if (sub === undefined) return value;
    return isObject(value) ? value[sub] : undefined;
  }

  /**
   * Takes the value at `key` (or `key.sub`) if `accept` says it fits; a value that does not fit
   * stays for the catch-all. Vendor events are shallow: two levels are all a mapper takes from.
   */
  takeIf<T>(accept: (value: unknown) => value is T, key: string, sub?: string): T | undefined {
    let parent = this.event;
    let name = key;
    if (sub !== undefined) {
      const child = parent[key];
      if (!isObject(child)) return undefined;
      parent = child;
      name = sub;
    }
    const value = parent[name];
    if (value === undefined || !accept(value)) return undefined;
    let keys = this.taken.get(parent);
    if (keys === undefined) this.taken.set(parent, (keys = new Set()));
    else if (keys.has(name)) return undefined;
    keys.add(name);
    this.touched.add(this.event);
    this.touched.add(parent);
    return value;
  }

  /** A non-empty string. */
  string(key: string, sub?: string): string | undefined {
    return this.takeIf(isNonEmptyString, key, sub);
  }

  /** A safe integer. */
  integer(key: string, sub?: string): number | undefined {
    return this.takeIf(isSafeInteger, key, sub);
  }

  /** A finite number. */
  number(key: string, sub?: string): number | undefined {
    return this.takeIf(isFiniteNumber, key, sub);
  }

  /** Takes the value only when it equals `expected` (a field repeating one already mapped). */
  same(expected: unknown, key: string, sub?: string): void {
    if (expected !== undefined) this.takeIf((v): v is unknown => v === expected, key, sub);
  }

  /** What was not taken; objects emptied by taking are dropped, objects that came empty are kept. */
  rest(): Json | undefined {
    if (!this.touched.has(this.event)) return Object.keys(this.event).length > 0 ? this.event : undefined;
    return this.remaining(this.event);
  }

  private remaining(node: Json): Json | undefined {
    const taken = this.taken.get(node);
    const out: Json = {};
    let kept = false;
    for (const key in node) {
      if (taken?.has(key)) continue;
      const value = node[key];
      if (isObject(value) && this.touched.has(value)) {
        const child = this.remaining(value);
        if (child === undefined) continue;
        out[key] = child;
      } else {
        out[key] = value;
      }
      kept = true;
    }
    return kept ? out : undefined;
  }
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isSafeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Sets a value at a path, creating objects on the way; undefined values are not set. */
export function setPath(target: Json, path: readonly string[], value: unknown): void {
  if (value === undefined) return;
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (isObject(next)) node = next;
    else node = node[key] = {};
  }
  node[path[path.length - 1]!] = value;
}

/** Deep-merges `extra` under `target` (target wins on conflicts): a catch-all folded back into a rebuilt event. */
export function mergeUnder(target: Json, extra: Json | undefined): Json {
  if (extra === undefined) return target;
  for (const [key, value] of Object.entries(extra)) {
    const existing = target[key];
    if (existing === undefined) target[key] = value;
    else if (isObject(existing) && isObject(value)) mergeUnder(existing, value);
  }
  return target;
}

/** The vendor event a mapped line kept as JSON text (OCSF raw_data, ECS event.original), if it is one. */
export function keptEvent(text: unknown): Json | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const raw: unknown = JSON.parse(text);
    return isObject(raw) ? raw : undefined;
  } catch {
    return undefined;
  }
}

export { isObject };
