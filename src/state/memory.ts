import { exportState, type Checkpoint, type SourceSnapshot, type StateExport, type StateStore } from './store.js';

/** Not durable: for replay runs and tests. Chosen explicitly, never as a silent fallback. */
export class MemoryStateStore implements StateStore {
  readonly description = 'memory (not durable)';
  private readonly data = new Map<string, SourceSnapshot>();

  load(source: string): Promise<SourceSnapshot> {
    const s = this.data.get(source);
    return Promise.resolve({ keys: { ...(s?.keys ?? {}) }, dedupeIds: [...(s?.dedupeIds ?? [])] });
  }

  commit(source: string, checkpoint: Checkpoint): Promise<void> {
    const s = this.data.get(source) ?? { keys: {}, dedupeIds: [] };
    for (const [k, v] of Object.entries(checkpoint.keys)) {
      if (v === null) delete s.keys[k];
      else s.keys[k] = v;
    }
    if (checkpoint.dedupeIds?.length) {
      s.dedupeIds.push(...checkpoint.dedupeIds);
      const cap = checkpoint.dedupeCapacity ?? Infinity;
      if (s.dedupeIds.length > cap) s.dedupeIds.splice(0, s.dedupeIds.length - cap);
    }
    this.data.set(source, s);
    return Promise.resolve();
  }

  reset(source: string): Promise<void> {
    this.data.delete(source);
    return Promise.resolve();
  }

  sources(): Promise<string[]> {
    return Promise.resolve([...this.data.keys()].sort());
  }

  exportAll(): Promise<StateExport> {
    return exportState(this);
  }

  importAll(data: StateExport): Promise<void> {
    for (const [name, entry] of Object.entries(data)) {
      this.data.set(name, { keys: { ...entry.keys }, dedupeIds: [...(entry.dedupe_ids ?? [])] });
    }
    return Promise.resolve();
  }

  healthy(): boolean {
    return true;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
