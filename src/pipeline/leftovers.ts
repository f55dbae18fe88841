type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A vendor event a mapper takes its fields from. Whatever it does not take is left for the
 * schema's catch-all (OCSF `unmapped`, ECS the vendor namespace), so a mapping loses nothing.
 * Nested objects are copied only when a field is taken from them; the event itself is never changed.
 */
export class Leftovers {
  private readonly root: Json;
  private readonly copies = new Set<Json>();

  constructor(event: Json) {
    this.root = { ...event };
    this.copies.add(this.root);
  }

  /** The value at a path, without taking it. */
  peek(...path: string[]): unknown {
    let node: unknown = this.root;
    for (const key of path) {
      if (!isObject(node)) return undefined;
      node = node[key];
    }
    return node;
  }

  /** Takes the value at a path if `accept` says it fits; a value that does not fit stays for the catch-all. */
  takeIf<T>(accept: (value: unknown) => value is T, ...path: string[]): T | undefined {
    const value = this.peek(...path);
    if (value === undefined || !accept(value)) return undefined;
    const last = path[path.length - 1]!;
    let parent = this.root;
    for (const key of path.slice(0, -1)) {
      let child = parent[key] as Json;
      if (!this.copies.has(child)) {
        child = { ...child };
        parent[key] = child;
        this.copies.add(child);
      }
      parent = child;
    }
    delete parent[last];
    return value;
  }

  /** A non-empty string. */
  string(...path: string[]): string | undefined {
    return this.takeIf(isNonEmptyString, ...path);
  }

  /** A safe integer. */
  integer(...path: string[]): number | undefined {
    return this.takeIf(isSafeInteger, ...path);
  }

  /** A finite number. */
  number(...path: string[]): number | undefined {
    return this.takeIf(isFiniteNumber, ...path);
  }

  /** Takes the value only when it equals `expected` (a field repeating one already mapped). */
  same(expected: unknown, ...path: string[]): void {
    if (expected !== undefined) this.takeIf((v): v is unknown => v === expected, ...path);
  }

  /** What was not taken; objects emptied by taking are dropped, objects that came empty are kept. */
  rest(): Json | undefined {
    const pruned = this.prune(this.root);
    return pruned !== undefined && Object.keys(pruned).length > 0 ? pruned : undefined;
  }

  private prune(node: Json): Json | undefined {
    if (!this.copies.has(node)) return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (isObject(value) && this.copies.has(value)) {
        const child = this.prune(value);
        if (child !== undefined) out[key] = child;
      } else {
        out[key] = value;
      }
    }
    return Object.keys(out).length > 0 || node === this.root ? out : undefined;
  }
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export function isSafeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

export function isFiniteNumber(value: unknown): value is number {
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

export { isObject };
