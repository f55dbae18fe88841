import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HelError, isHelError } from '../errors.js';
import { exportState, type Checkpoint, type SourceSnapshot, type StateExport, type StateStore } from './store.js';

/**
 * The schema, versioned with PRAGMA user_version: MIGRATIONS[n] takes a file from version n to
 * n + 1. Files written before versioning have user_version 0 and the version-1 tables, which
 * CREATE ... IF NOT EXISTS leaves as they are. A file newer than this build is refused.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS hel_state (
     source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
     PRIMARY KEY (source, key)) WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS hel_dedupe (
     source TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
     PRIMARY KEY (source, seq)) WITHOUT ROWID;`,
  // Version 2: a page's dedupe ids in one row (its ids as a JSON array, numbered first_seq, first_seq
  // + 1, ...) instead of a row per id: a thousand B-tree inserts and deletes per page were most of a
  // commit. Ids at or below a source's floor have left the window; pages wholly below it are deleted.
  `CREATE TABLE IF NOT EXISTS hel_dedupe_page (
     source TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, ids TEXT NOT NULL,
     UNIQUE (source, first_seq));
   CREATE TABLE IF NOT EXISTS hel_dedupe_floor (source TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO hel_dedupe_page (source, first_seq, last_seq, ids)
     SELECT source, MIN(seq), MAX(seq), json_group_array(id ORDER BY seq) FROM hel_dedupe GROUP BY source;
   DROP TABLE hel_dedupe;`,
];
const STATE_SCHEMA_VERSION = MIGRATIONS.length;

const CORRUPT = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

interface CommitStatements {
  upsertKey: Database.Statement<[string, string, string, string]>;
  removeKey: Database.Statement<[string, string]>;
  insertPage: Database.Statement<[string, number, number, string]>;
  trimPages: Database.Statement<[string, number]>;
  setFloor: Database.Statement<[string, number]>;
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
  /** Device and inode of the file when it was opened, checked before every commit. */
  private identity: string | undefined;

  constructor(
    private readonly path: string,
    options: SqliteOptions,
  ) {
    this.description = `sqlite ${path}`;
    try {
      this.db = new Database(path, { timeout: options.exclusive ? 0 : 2000 });
    } catch (err) {
      throw this.openError(err);
    }
    try {
      if (options.exclusive) this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives the process being killed (it is in the OS once
      // written); only a power loss can undo the last commits, and then the cursor (with its dedupe
      // ids) falls *behind* the fsynced output — the last pages are delivered again, none is lost.
      this.db.pragma('synchronous = NORMAL');
      this.migrate();
      if (options.exclusive) this.db.exec('BEGIN EXCLUSIVE; COMMIT;');
      this.identity = fileIdentity(path);
    } catch (err) {
      this.db.close();
      throw this.openError(err);
    }
  }

  /** Brings an older file up to this build's version, in one transaction; refuses a newer one. */
  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > STATE_SCHEMA_VERSION) {
      throw new HelError('HEL_STATE', `state file ${this.path} has schema version ${version}, but this hel understands versions up to ${STATE_SCHEMA_VERSION}: it was written by a newer hel`, {
        hint: `run the newer hel, or move ${this.path} aside and load it here with: hel state export (newer hel) | hel state import (this hel)`,
      });
    }
    if (version === STATE_SCHEMA_VERSION) return;
    this.db
      .transaction(() => {
        for (const step of MIGRATIONS.slice(version)) this.db.exec(step);
        this.db.pragma(`user_version = ${STATE_SCHEMA_VERSION}`);
      })
      .exclusive();
  }

  /**
   * The file at `path` must still be the one this store opened (same device and inode): a state file
   * deleted or replaced while hel runs would otherwise take commits no later run ever sees.
   */
  private checkIdentity(): void {
    const now = fileIdentity(this.path);
    if (now === undefined) {
      throw new HelError('HEL_STATE', `state file ${this.path} was deleted while hel was running; nothing more is committed`, {
        hint: 'restore the file from a backup, or restart hel to start a new one (it then collects again from the configured start); never delete a state file in use',
      });
    }
    if (now !== this.identity) {
      throw new HelError('HEL_STATE', `state file ${this.path} was replaced by another file while hel was running; nothing more is committed to either`, {
        hint: 'another process or a restore wrote a new file at that path: stop the other hel if there is one, then restart this one, which reads the file now at that path',
      });
    }
  }

  load(source: string): Promise<SourceSnapshot> {
    try {
      return Promise.resolve(this.loadNow(source));
    } catch (err) {
      return Promise.reject(this.corruptError(err) ?? (err as Error));
    }
  }

  private loadNow(source: string): SourceSnapshot {
    const rows = this.db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM hel_state WHERE source = ?').all(source);
    const pages = this.db
      .prepare<[string], { first_seq: number; last_seq: number; ids: string }>('SELECT first_seq, last_seq, ids FROM hel_dedupe_page WHERE source = ? ORDER BY first_seq')
      .all(source);
    const floor = this.db.prepare<[string], { seq: number }>('SELECT seq FROM hel_dedupe_floor WHERE source = ?').get(source)?.seq ?? 0;
    const dedupeIds: string[] = [];
    for (const page of pages) {
      const ids = JSON.parse(page.ids) as string[];
      for (let i = Math.max(0, floor - page.first_seq + 1); i < ids.length; i++) dedupeIds.push(ids[i]!);
    }
    this.maxSeq.set(source, pages.length > 0 ? pages[pages.length - 1]!.last_seq : 0);
    return { keys: Object.fromEntries(rows.map((r) => [r.key, r.value])), dedupeIds };
  }

  commit(source: string, checkpoint: Checkpoint): Promise<void> {
    try {
      this.checkIdentity();
      this.commitTx(source, checkpoint);
      this.ok = true;
      return Promise.resolve();
    } catch (err) {
      this.ok = false;
      if (isHelError(err)) return Promise.reject(new HelError(err.code, err.message, { ...err.context, source }));
      return Promise.reject(
        this.corruptError(err, source) ??
          new HelError(
            'HEL_STATE',
            `cannot save state for ${source} in ${this.path}: ${(err as Error).message}`,
            { source, hint: 'check free space and permissions of the state file' },
            { cause: err },
          ),
      );
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
        sql.insertPage.run(source, first, last, JSON.stringify(ids));
        if (checkpoint.dedupeCapacity !== undefined) {
          sql.trimPages.run(source, last - checkpoint.dedupeCapacity);
          sql.setFloor.run(source, last - checkpoint.dedupeCapacity);
        }
      }
    })();
    // Only once committed: a rolled-back commit must not leave a gap in the sequence.
    if (ids.length > 0) this.maxSeq.set(source, last);
  };

  /** Prepared once: a commit runs per page, and SQL compilation would cost more than the writes. */
  private statements(): CommitStatements {
    this.prepared ??= {
      upsertKey: this.db.prepare(
        'INSERT INTO hel_state (source, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      removeKey: this.db.prepare('DELETE FROM hel_state WHERE source = ? AND key = ?'),
      insertPage: this.db.prepare('INSERT INTO hel_dedupe_page (source, first_seq, last_seq, ids) VALUES (?, ?, ?, ?)'),
      trimPages: this.db.prepare('DELETE FROM hel_dedupe_page WHERE source = ? AND last_seq <= ?'),
      setFloor: this.db.prepare('INSERT INTO hel_dedupe_floor (source, seq) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET seq = excluded.seq'),
    };
    return this.prepared;
  }

  private currentMaxSeq(source: string): number {
    const row = this.db.prepare<[string], { m: number | null }>('SELECT MAX(last_seq) AS m FROM hel_dedupe_page WHERE source = ?').get(source);
    return row?.m ?? 0;
  }

  reset(source: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM hel_state WHERE source = ?').run(source);
      this.db.prepare('DELETE FROM hel_dedupe_page WHERE source = ?').run(source);
      this.db.prepare('DELETE FROM hel_dedupe_floor WHERE source = ?').run(source);
    })();
    this.maxSeq.delete(source);
    return Promise.resolve();
  }

  sources(): Promise<string[]> {
    try {
      const rows = this.db.prepare<[], { source: string }>('SELECT source FROM hel_state UNION SELECT source FROM hel_dedupe_page ORDER BY source').all();
      return Promise.resolve(rows.map((r) => r.source));
    } catch (err) {
      return Promise.reject(this.corruptError(err) ?? (err as Error));
    }
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
    if (!this.ok || !this.db.open) return false;
    try {
      this.checkIdentity();
      return true;
    } catch {
      return false;
    }
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
    if (isHelError(err)) return err;
    return (
      this.corruptError(err) ??
      new HelError('HEL_STATE', `cannot open state file ${this.path}: ${(err as Error).message}`, { hint: 'check the path and permissions, or set global.state.path' }, { cause: err })
    );
  }

  /** "file is not a database", "database disk image is malformed": named with the file and the remedy. */
  private corruptError(err: unknown, source?: string): HelError | undefined {
    const code = (err as { code?: string }).code;
    if (code === undefined || !CORRUPT.has(code)) return undefined;
    return new HelError(
      'HEL_STATE',
      `state file ${this.path} is damaged (${(err as Error).message}); hel cannot trust the cursors in it`,
      {
        ...(source === undefined ? {} : { source }),
        hint: `stop hel and restore ${this.path} from a backup; or move it aside and load your last export with: hel state import --state ${this.path} < EXPORT.json (see docs/state.md)`,
      },
      { cause: err },
    );
  }
}

/** `dev:ino` of the file at `path`, or undefined when there is none. */
function fileIdentity(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
