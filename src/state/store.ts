/**
 * Per-source state behind a small async interface, so the embedded SQLite default can later be
 * swapped for a shared store (PostgreSQL with leases) without touching the engine.
 */
export interface SourceSnapshot {
  /** String keys: cursor, next_url, last_event_time, last_success_at, last_error, breaker, ... */
  keys: Record<string, string>;
  /** The dedupe window, oldest first. */
  dedupeIds: string[];
}

export interface Checkpoint {
  /** Keys to set (string) or delete (null). */
  keys: Record<string, string | null>;
  /** Ids first emitted on this page, in order; the window is trimmed to `dedupeCapacity`. */
  dedupeIds?: readonly string[];
  dedupeCapacity?: number;
}

export interface StateStore {
  readonly description: string;
  load(source: string): Promise<SourceSnapshot>;
  /** Applies one checkpoint atomically: keys and dedupe ids land together or not at all. */
  commit(source: string, checkpoint: Checkpoint): Promise<void>;
  /**
   * Optional, for a store shared by a fleet: called right before a page is written to the output;
   * throws HEL_LEASE_LOST unless this instance surely still holds the source's lease, so a paused
   * instance that lost it writes nothing another instance may write too.
   */
  beforeWrite?(source: string): void;
  reset(source: string): Promise<void>;
  sources(): Promise<string[]>;
  exportAll(): Promise<StateExport>;
  importAll(data: StateExport): Promise<void>;
  healthy(): boolean;
  close(): Promise<void>;
}

/** `hel state export` format: `{ "<source>": { "keys": {...}, "dedupe_ids": [...] } }`. */
export type StateExport = Record<string, { keys: Record<string, string>; dedupe_ids?: string[] }>;

export function isStateExport(value: unknown): value is StateExport {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value as Record<string, unknown>).every((entry) => {
    if (entry === null || typeof entry !== 'object') return false;
    const { keys, dedupe_ids: ids } = entry as { keys?: unknown; dedupe_ids?: unknown };
    const keysOk = keys !== null && typeof keys === 'object' && Object.values(keys).every((v) => typeof v === 'string');
    const idsOk = ids === undefined || (Array.isArray(ids) && ids.every((v) => typeof v === 'string'));
    return keysOk && idsOk;
  });
}

/** Every source's state as `hel state export` writes it, through the store's own interface. */
export async function exportState(store: Pick<StateStore, 'sources' | 'load'>): Promise<StateExport> {
  const out: StateExport = {};
  for (const name of await store.sources()) {
    const s = await store.load(name);
    out[name] = { keys: s.keys, dedupe_ids: s.dedupeIds };
  }
  return out;
}
