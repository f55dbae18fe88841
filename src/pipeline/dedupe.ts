import { compilePath, getPath, type CompiledPath } from './path.js';

/** Queue slots consumed before the queue arrays are compacted. */
const COMPACT_AFTER = 1 << 16;

/**
 * The most recent `capacity` event ids of one source, oldest first. The window is persisted with
 * the cursor (state/), so its eviction order must be the insertion order the store keeps.
 *
 * Eviction reads the oldest id from a queue instead of `map.keys().next()`: V8 leaves deleted Map
 * entries in place until a rehash, so fetching the first key after many deletes scans them all,
 * which made a full window quadratic (a 1M backfill spent minutes there). Each id maps to the
 * sequence number of its insertion; a queue entry whose sequence no longer matches was forgotten
 * (and maybe remembered again later) and is skipped.
 */
export class DedupeWindow {
  private readonly ids = new Map<string, number>();
  private queueIds: string[] = [];
  private queueSeqs: number[] = [];
  private head = 0;
  private seq = 0;
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
    const seq = ++this.seq;
    this.ids.set(id, seq);
    this.queueIds.push(id);
    this.queueSeqs.push(seq);
    while (this.ids.size > this.capacity) this.evictOldest();
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) this.ids.delete(id);
  }

  private evictOldest(): void {
    while (this.head < this.queueIds.length) {
      const id = this.queueIds[this.head]!;
      const seq = this.queueSeqs[this.head]!;
      this.head++;
      if (this.ids.get(id) === seq) {
        this.ids.delete(id);
        break;
      }
    }
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.queueIds.length) {
      this.queueIds = this.queueIds.slice(this.head);
      this.queueSeqs = this.queueSeqs.slice(this.head);
      this.head = 0;
    }
  }
}
