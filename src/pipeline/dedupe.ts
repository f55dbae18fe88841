import { hashOf, IdTable } from './id-table.js';
import { compilePath, getPath, type CompiledPath } from './path.js';

/**
 * The most recent `capacity` event ids of one source, oldest first. The window is persisted with
 * the cursor (state/), so its eviction order must be the insertion order the store keeps. Ids are
 * only ever added (after their commit, by engine/source-state.ts) and evicted oldest first.
 *
 * The ids sit in a ring in insertion order (`ring[(head + i) % capacity]` is the i-th oldest),
 * indexed by an IdTable: every event of a deduplicated source is looked up and nearly every one is
 * new, so the lookup that misses is the one that must be cheap.
 */
export class DedupeWindow {
  private readonly ring: string[] = [];
  private readonly ringHashes: number[] = [];
  private readonly table = new IdTable(this.ring);
  private head = 0;
  private count = 0;
  private readonly path: CompiledPath;

  constructor(
    idPath: string,
    readonly capacity: number,
    initial: Iterable<string> = [],
  ) {
    this.path = compilePath(idPath);
    for (const id of initial) this.remember(id);
  }

  get size(): number {
    return this.count;
  }

  /** The event's id if it is a non-empty string; other events are "unkeyed" and always emitted. */
  idOf(event: unknown): string | undefined {
    const id = getPath(event, this.path);
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  }

  has(id: string): boolean {
    return this.table.find(id, hashOf(id)) !== 0;
  }

  remember(id: string): void {
    const hash = hashOf(id);
    if (this.table.find(id, hash) !== 0) return;
    if (this.count === this.capacity) this.evictOldest();
    const index = (this.head + this.count) % this.capacity;
    this.ring[index] = id;
    this.ringHashes[index] = hash;
    this.count++;
    this.table.insert(hash, index + 1);
  }

  private evictOldest(): void {
    const index = this.head;
    this.table.remove(this.ringHashes[index]!, index + 1);
    this.ring[index] = '';
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }
}
