import type { Checkpoint, SourceSnapshot, StateExport, StateStore } from './store.js';

/** A state store that hands every call to `inner`; a wrapper overrides only what it changes. */
export class PassThroughStore<S extends StateStore = StateStore> implements StateStore {
  constructor(protected readonly inner: S) {}

  get description(): string {
    return this.inner.description;
  }

  commit(source: string, checkpoint: Checkpoint): Promise<void> {
    return this.inner.commit(source, checkpoint);
  }

  beforeWrite(source: string): void {
    this.inner.beforeWrite?.(source);
  }

  load(source: string): Promise<SourceSnapshot> {
    return this.inner.load(source);
  }

  reset(source: string): Promise<void> {
    return this.inner.reset(source);
  }

  sources(): Promise<string[]> {
    return this.inner.sources();
  }

  exportAll(): Promise<StateExport> {
    return this.inner.exportAll();
  }

  importAll(data: StateExport): Promise<void> {
    return this.inner.importAll(data);
  }

  healthy(): boolean {
    return this.inner.healthy();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
