import { compilePath, getPath, type CompiledPath } from './path.js';

/** Queue slots consumed before the queue array is compacted. */
const COMPACT_AFTER = 1 << 16;

/**
 * The most recent `capacity` event ids of one source, oldest first. The window is persisted with
 * the cursor (state/), so its eviction order must be the insertion order the store keeps. Ids are
 * only ever added (after their commit, by engine/source-state.ts) and evicted oldest first.
 *
 * Eviction reads the oldest id from a queue instead of `set.values().next()`: V8 leaves deleted
 * entries in place until a rehash, so fetching the first value after many deletes scans them all,
 * which made a full window quadratic (a 1M backfill spent minutes there).
 */
export class DedupeWindow {
  private readonly ids = new Set<string>();
  private queue: string[] = [];
  private head = 0;
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
    return this.ids.size;
  }

  /** The event's id if it is a non-empty string; other events are "unkeyed" and always emitted. */
  idOf(event: unknown): string | undefined {
    const id = getPath(event, this.path);
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  remember(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    this.queue.push(id);
    if (this.ids.size > this.capacity) this.evictOldest();
  }

  private evictOldest(): void {
    this.ids.delete(this.queue[this.head]!);
    this.head++;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
