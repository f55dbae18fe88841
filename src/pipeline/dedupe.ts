import { compilePath, getPath, type CompiledPath } from './path.js';

/**
 * The most recent `capacity` event ids of one source, oldest first. The window is persisted with
 * the cursor (state/), so its eviction order must be the insertion order the store keeps; a Map
 * iterates in insertion order, which makes it that FIFO without a second structure.
 */
export class DedupeWindow {
  private readonly ids = new Map<string, true>();
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
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) this.ids.delete(id);
  }

  clear(): void {
    this.ids.clear();
  }
}
