import Database from 'better-sqlite3';
import { HelError } from '../errors.js';
import { exportState, type Checkpoint, type SourceSnapshot, type StateExport, type StateStore } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hel_state (
  source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (source, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hel_dedupe (
  source TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY (source, seq)) WITHOUT ROWID;
`;

interface CommitStatements {
  upsertKey: Database.Statement<[string, string, string, string]>;
  removeKey: Database.Statement<[string, string]>;
  insertIds: Database.Statement<[string, number, string]>;
  trimIds: Database.Statement<[string, number]>;
}

export interface SqliteOptions {
  /** Hold the file for this process alone (a running collector). Readers (state show) pass false. */
  exclusive: boolean;
}

/**
 * The durable default, in WAL mode: a kill -9 after a checkpoint never loses it. With `exclusive`, SQLite's own lock (released by the
 * OS when the process dies, even by SIGKILL) keeps a second `hel run` off the same file.
 */
export class SqliteStateStore implements StateStore {
  readonly description: string;
  private readonly db: Database.Database;
  private readonly maxSeq = new Map<string, number>();
  private prepared: CommitStatements | undefined;
  private ok = true;

  constructor(
    private readonly path: string,
    options: SqliteOptions,
  ) {
    this.description = `sqlite ${path}`;
    try {
      this.db = new Database(path, { timeout: options.exclusive ? 0 : 2000 });
      if (options.exclusive) this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives the process being killed (it is in the OS once
      // written); only a power loss can undo the last commits, and then the cursor (with its dedupe
      // ids) falls *behind* the fsynced output — the last pages are delivered again, none is lost.
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      if (options.exclusive) this.db.exec('BEGIN EXCLUSIVE; COMMIT;');
    } catch (err) {
      throw this.openError(err);
    }
  }

  load(source: string): Promise<SourceSnapshot> {
    const rows = this.db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM hel_state WHERE source = ?').all(source);
    const ids = this.db.prepare<[string], { id: string; seq: number }>('SELECT id, seq FROM hel_dedupe WHERE source = ? ORDER BY seq').all(source);
    this.maxSeq.set(source, ids.length > 0 ? ids[ids.length - 1]!.seq : 0);
    return Promise.resolve({ keys: Object.fromEntries(rows.map((r) => [r.key, r.value])), dedupeIds: ids.map((r) => r.id) });
  }

  commit(source: string, checkpoint: Checkpoint): Promise<void> {
    try {
      this.commitTx(source, checkpoint);
      this.ok = true;
      return Promise.resolve();
    } catch (err) {
      this.ok = false;
      return Promise.reject(new HelError('HEL_STATE', `cannot save state for ${source}: ${(err as Error).message}`, { source, hint: 'check free space and permissions of the state file' }, { cause: err }));
    }
  }

  private readonly commitTx = (source: string, checkpoint: Checkpoint): void => {
    const sql = this.statements();
    const ids = checkpoint.dedupeIds ?? [];
    const first = ids.length > 0 ? (this.maxSeq.get(source) ?? this.currentMaxSeq(source)) + 1 : 0;
    const last = first + ids.length - 1;
    this.db.transaction(() => {
      const now = new Date().toISOString();
      for (const [key, value] of Object.entries(checkpoint.keys)) {
        if (value === null) sql.removeKey.run(source, key);
        else sql.upsertKey.run(source, key, value, now);
      }
      if (ids.length > 0) {
        sql.insertIds.run(source, first, JSON.stringify(ids));
        if (checkpoint.dedupeCapacity !== undefined) sql.trimIds.run(source, last - checkpoint.dedupeCapacity);
      }
    })();
    // Only once committed: a rolled-back commit must not leave a gap in the sequence.
    if (ids.length > 0) this.maxSeq.set(source, last);
  };

  /** Prepared once: a commit runs per page, and SQL compilation would cost more than the writes. */
  private statements(): CommitStatements {
    this.prepared ??= {
      upsertKey: this.db.prepare('INSERT INTO hel_state (source, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at'),
      removeKey: this.db.prepare('DELETE FROM hel_state WHERE source = ? AND key = ?'),
      // A page's ids arrive as one JSON array: one statement instead of a thousand inserts, each
      // id numbered first, first + 1, ... in the array's order (json_each's key is the index).
      insertIds: this.db.prepare('INSERT INTO hel_dedupe (source, seq, id) SELECT ?, ? + key, value FROM json_each(?)'),
      trimIds: this.db.prepare('DELETE FROM hel_dedupe WHERE source = ? AND seq <= ?'),
    };
    return this.prepared;
  }

  private currentMaxSeq(source: string): number {
    const row = this.db.prepare<[string], { m: number | null }>('SELECT MAX(seq) AS m FROM hel_dedupe WHERE source = ?').get(source);
    return row?.m ?? 0;
  }

  reset(source: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM hel_state WHERE source = ?').run(source);
      this.db.prepare('DELETE FROM hel_dedupe WHERE source = ?').run(source);
    })();
    this.maxSeq.delete(source);
    return Promise.resolve();
  }

  sources(): Promise<string[]> {
    const rows = this.db.prepare<[], { source: string }>('SELECT source FROM hel_state UNION SELECT source FROM hel_dedupe ORDER BY source').all();
    return Promise.resolve(rows.map((r) => r.source));
  }

  exportAll(): Promise<StateExport> {
    return exportState(this);
  }

  async importAll(data: StateExport): Promise<void> {
    for (const [name, entry] of Object.entries(data)) {
      await this.reset(name);
      await this.commit(name, { keys: entry.keys, dedupeIds: entry.dedupe_ids ?? [] });
    }
  }

  healthy(): boolean {
    return this.ok && this.db.open;
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  private openError(err: unknown): HelError {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new HelError('HEL_STATE_LOCKED', `state file ${this.path} is in use by another hel process`, {
        hint: 'one process per state file: stop the other hel, or give this one its own global.state.path / --state; a running hel serves its state at GET /api/v1/sources/NAME/state',
      });
    }
    return new HelError('HEL_STATE', `cannot open state file ${this.path}: ${(err as Error).message}`, { hint: 'check the path and permissions, or set global.state.path' }, { cause: err });
  }
}
