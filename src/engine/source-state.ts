import { HelError } from '../errors.js';
import { DedupeWindow } from '../pipeline/dedupe.js';
import type { CircuitBreakerSnapshot } from '../resilience/circuit-breaker.js';
import type { Checkpoint, StateStore } from '../state/store.js';

/** The stored keys of the typed fields; every other key is a position key (cursor, next_url, a hook's...). */
const EVENTS_TOTAL = 'events_total';
const BREAKER = 'breaker';

/** What one commit changes in a source's state. */
export interface StateChange {
  /** Position keys to set (string) or delete (null). */
  keys?: Record<string, string | null>;
  /** Events delivered since the last commit: added to `eventsTotal`. */
  emitted?: number;
  /** The breaker's snapshot to keep, or null to clear it (a fresh breaker). */
  breaker?: CircuitBreakerSnapshot | null;
  /** Ids first delivered since the last commit, oldest first: they join the dedupe window once committed. */
  dedupeIds?: readonly string[];
}

/** What the engine may ask of the dedupe window; only SourceState adds ids to it. */
export type DedupeLookup = Pick<DedupeWindow, 'idOf' | 'has' | 'capacity' | 'size'>;

/**
 * One source's committed state and its only writer: the position keys, `events_total`, the
 * breaker snapshot and the dedupe window. A change is written to the store first and applied in
 * memory only once the store accepted it, so memory never runs ahead of the disk — in particular
 * an id joins the dedupe window only after its page's commit, and a failed commit followed by a
 * retry neither loses the page (its ids are not in the window) nor writes it twice.
 *
 * The stored form stays the string map every backend keeps (`events_total` a decimal string,
 * `breaker` JSON), so state files written before this class read back unchanged.
 */
export class SourceState {
  private position: Record<string, string>;
  /** Undefined until the source's first page is committed: the stored form then has no events_total. */
  private total: number | undefined;
  private breakerSnapshot: CircuitBreakerSnapshot | undefined;
  private readonly window: DedupeWindow | undefined;

  private constructor(
    private readonly store: StateStore,
    readonly source: string,
    stored: Record<string, string>,
    dedupe: { idPath: string; capacity: number; ids: readonly string[] } | undefined,
  ) {
    const { [EVENTS_TOTAL]: total, [BREAKER]: breaker, ...position } = stored;
    this.position = position;
    this.total = parseTotal(source, total);
    this.breakerSnapshot = parseBreaker(source, breaker);
    this.window = dedupe && new DedupeWindow(dedupe.idPath, dedupe.capacity, dedupe.ids);
  }

  /** Loads a source's committed state; `dedupe` is the source's dedupe config, when it has one. */
  static async load(store: StateStore, source: string, dedupe?: { id_path: string; capacity: number }): Promise<SourceState> {
    const snapshot = await store.load(source);
    return new SourceState(store, source, snapshot.keys, dedupe && { idPath: dedupe.id_path, capacity: dedupe.capacity, ids: snapshot.dedupeIds });
  }

  /** The position keys: cursor, next_url, last_event_time, last_error, a hook's keys... */
  get keys(): Readonly<Record<string, string>> {
    return this.position;
  }

  get eventsTotal(): number {
    return this.total ?? 0;
  }

  get breaker(): Readonly<CircuitBreakerSnapshot> | undefined {
    return this.breakerSnapshot;
  }

  get dedupe(): DedupeLookup | undefined {
    return this.window;
  }

  /** The state as the store keeps it (`hel state show`, the REST API, what a hook reads). */
  stored(): Record<string, string> {
    return {
      ...this.position,
      ...(this.total === undefined ? {} : { [EVENTS_TOTAL]: String(this.total) }),
      ...(this.breakerSnapshot === undefined ? {} : { [BREAKER]: JSON.stringify(this.breakerSnapshot) }),
    };
  }

  /** Whether committing `change` would change nothing. */
  isNoop(change: StateChange): boolean {
    const keysSame = Object.entries(change.keys ?? {}).every(([k, v]) => (v === null ? !(k in this.position) : this.position[k] === v));
    const breakerSame = change.breaker === undefined || (change.breaker === null ? this.breakerSnapshot === undefined : JSON.stringify(change.breaker) === JSON.stringify(this.breakerSnapshot));
    return keysSame && breakerSame && change.emitted === undefined && !change.dedupeIds?.length;
  }

  /** Guards a write to the output: in a fleet, throws HEL_LEASE_LOST unless the source's lease is surely held. */
  beforeWrite(): void {
    this.store.beforeWrite?.(this.source);
  }

  /** Writes `change` to the store in one transaction, then applies it; nothing is applied when the write fails. */
  async commit(change: StateChange): Promise<void> {
    await this.store.commit(this.source, this.checkpointOf(change));
    this.apply(change);
  }

  /**
   * Applies `change` in memory without saving it: a `hel test` without --commit, or a checkpoint
   * the configuration chose to skip after a failed write (the events were delivered; a restart
   * re-reads from the last saved position).
   */
  apply(change: StateChange): void {
    for (const [k, v] of Object.entries(change.keys ?? {})) {
      if (v === null) delete this.position[k];
      else this.position[k] = v;
    }
    if (change.emitted !== undefined) this.total = this.eventsTotal + change.emitted;
    if (change.breaker !== undefined) this.breakerSnapshot = change.breaker ?? undefined;
    if (this.window) for (const id of change.dedupeIds ?? []) this.window.remember(id);
  }

  private checkpointOf(change: StateChange): Checkpoint {
    const keys: Record<string, string | null> = { ...change.keys };
    if (change.emitted !== undefined) keys[EVENTS_TOTAL] = String(this.eventsTotal + change.emitted);
    if (change.breaker !== undefined) keys[BREAKER] = change.breaker === null ? null : JSON.stringify(change.breaker);
    const ids = change.dedupeIds ?? [];
    return ids.length > 0 && this.window ? { keys, dedupeIds: ids, dedupeCapacity: this.window.capacity } : { keys };
  }
}

function parseTotal(source: string, stored: string | undefined): number | undefined {
  if (stored === undefined) return undefined;
  const total = Number(stored);
  if (Number.isSafeInteger(total) && total >= 0 && /^\d+$/.test(stored)) return total;
  throw damaged(source, EVENTS_TOTAL, 'is not a count of events');
}

function parseBreaker(source: string, stored: string | undefined): CircuitBreakerSnapshot | undefined {
  if (stored === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    throw damaged(source, BREAKER, 'is not JSON');
  }
  const s = parsed as Partial<CircuitBreakerSnapshot> | null;
  const valid =
    s !== null &&
    typeof s === 'object' &&
    (s.state === 'closed' || s.state === 'open' || s.state === 'half_open') &&
    typeof s.consecutive_failures === 'number' &&
    typeof s.consecutive_successes === 'number' &&
    (s.open_since === null || typeof s.open_since === 'string') &&
    (s.recent === undefined || typeof s.recent === 'string');
  if (!valid) throw damaged(source, BREAKER, 'is not a circuit breaker snapshot');
  return s as CircuitBreakerSnapshot;
}

function damaged(source: string, key: string, problem: string): HelError {
  return new HelError('HEL_STATE', `the stored state key ${key} of source ${source} ${problem}; hel does not guess a value`, {
    source,
    hint: `inspect it with: hel state show ${source}; set it right with hel state set, or clear the source with: hel state reset ${source}`,
  });
}
