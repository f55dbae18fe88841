import type pg from 'pg';
import { HelError } from '../../errors.js';
import { leaseLost, type Lease, type LeaseGrant, type LeaseInfo, type LeaseStore, type SharedStateStore } from '../lease.js';
import { exportState, type Checkpoint, type SourceSnapshot, type StateExport } from '../store.js';
import { describeUrl, openPool } from './connect.js';
import { migrate } from './schema.js';
import { PostgresBudgetLedger } from './budget-ledger.js';
import type { StateConfig } from './connect.js';

/**
 * One checkpoint in one statement: keys and dedupe ids are written only when the lease row still
 * carries the writer's token. FOR SHARE holds that row until the statement commits, so a takeover
 * (which updates the row) waits for it or makes it write nothing — never both.
 */
const FENCED_COMMIT = `
WITH fence AS (
  SELECT 1 FROM hel_lease WHERE source = $1 AND owner IS NOT DISTINCT FROM $2 AND token = $3 FOR SHARE
), removed AS (
  DELETE FROM hel_state WHERE source = $1 AND key = ANY($6::text[]) AND EXISTS (SELECT 1 FROM fence)
), upserted AS (
  INSERT INTO hel_state (source, key, value, updated_at)
  SELECT $1, k, v, now() FROM unnest($4::text[], $5::text[]) AS t(k, v) WHERE EXISTS (SELECT 1 FROM fence)
  ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
), base AS (
  SELECT coalesce(max(seq), 0) AS s FROM hel_dedupe WHERE source = $1
), inserted AS (
  INSERT INTO hel_dedupe (source, seq, id)
  SELECT $1, base.s + t.ord, t.id FROM base, unnest($7::text[]) WITH ORDINALITY AS t(id, ord) WHERE EXISTS (SELECT 1 FROM fence)
), trimmed AS (
  DELETE FROM hel_dedupe WHERE source = $1 AND $8::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM fence)
    AND seq <= (SELECT s FROM base) + cardinality($7::text[]) - $8::bigint
)
SELECT EXISTS (SELECT 1 FROM fence) AS held`;

/** An operator's write (hel state set/reset/import): it takes the source's lease away, so the holder reloads. */
const REVOKE_LEASE = `
INSERT INTO hel_lease (source, owner, token) VALUES ($1, NULL, 1)
ON CONFLICT (source) DO UPDATE SET owner = NULL, expires_at = NULL, token = hel_lease.token + 1
RETURNING token::text AS token`;

const ACQUIRE = `
WITH previous AS (SELECT owner FROM hel_lease WHERE source = $1)
INSERT INTO hel_lease (source, owner, token, expires_at, acquired_at) VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond', now())
ON CONFLICT (source) DO UPDATE SET owner = excluded.owner, token = hel_lease.token + 1, expires_at = excluded.expires_at, acquired_at = now()
  WHERE hel_lease.owner IS NULL OR hel_lease.expires_at IS NULL OR hel_lease.expires_at <= now()
RETURNING token::text AS token, extract(epoch FROM expires_at)::float8 * 1000 AS expires_ms, (SELECT owner FROM previous) AS previous`;

function keyArrays(keys: Record<string, string | null>): { names: string[]; values: string[]; removed: string[] } {
  const names: string[] = [];
  const values: string[] = [];
  const removed: string[] = [];
  for (const [k, v] of Object.entries(keys)) {
    if (v === null) removed.push(k);
    else {
      names.push(k);
      values.push(v);
    }
  }
  return { names, values, removed };
}

/**
 * State shared by a fleet of instances in PostgreSQL: cursors, dedupe windows, breakers and
 * counters per source as in SQLite, plus leases with fencing tokens, instance membership and
 * fleet-wide request budgets. No exclusive lock: `hel state` works while instances run.
 */
export class PostgresStateStore implements SharedStateStore, LeaseStore {
  readonly description: string;
  readonly leasing: LeaseStore = this;
  readonly budgets: PostgresBudgetLedger;
  private ok = true;

  private constructor(
    private readonly pool: pg.Pool,
    /** Heartbeats and renewals have connections of their own: a busy fleet's commits and budget takes never delay them past the TTL. */
    private readonly leasePool: pg.Pool,
    where: string,
  ) {
    this.description = `postgres ${where}`;
    this.budgets = new PostgresBudgetLedger(pool, (err) => this.failed(err, 'take from a request budget'));
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    for (const p of [pool, leasePool]) {
      p.on('error', () => {
        this.ok = false;
      });
    }
  }

  static async open(url: string, tls: StateConfig['tls']): Promise<PostgresStateStore> {
    const where = describeUrl(url);
    const pool = openPool(url, tls, 8);
    const leasePool = openPool(url, tls, 2);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      await leasePool.end().catch(() => undefined);
      if (err instanceof HelError) throw err;
      throw new HelError(
        'HEL_STATE',
        `cannot open the PostgreSQL state at ${where}: ${(err as Error).message}`,
        {
          hint: 'check global.state.url (host, port, database, user, password) and that the server accepts connections from here',
        },
        { cause: err },
      );
    }
    return new PostgresStateStore(pool, leasePool, where);
  }

  private async query<R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[] = [], pool = this.pool): Promise<R[]> {
    try {
      const result = await pool.query<R>(sql, params);
      this.ok = true;
      return result.rows;
    } catch (err) {
      throw this.failed(err, what);
    }
  }

  private failed(err: unknown, what: string): HelError {
    if (err instanceof HelError) return err;
    this.ok = false;
    return new HelError('HEL_STATE', `PostgreSQL state: cannot ${what}: ${(err as Error).message}`, { hint: 'check that the state database is reachable' }, { cause: err });
  }

  async load(source: string): Promise<SourceSnapshot> {
    const keys = await this.query<{ key: string; value: string }>('load state', 'SELECT key, value FROM hel_state WHERE source = $1', [source]);
    const ids = await this.query<{ id: string }>('load state', 'SELECT id FROM hel_dedupe WHERE source = $1 ORDER BY seq', [source]);
    return { keys: Object.fromEntries(keys.map((r) => [r.key, r.value])), dedupeIds: ids.map((r) => r.id) };
  }

  async commitFenced(source: string, checkpoint: Checkpoint, lease: Lease): Promise<void> {
    const rows = await this.query<{ held: boolean }>(`save state for ${source}`, FENCED_COMMIT, this.commitParams(source, checkpoint, lease.owner, lease.token));
    if (rows[0]?.held !== true) throw leaseLost(source, lease, 'checkpoint');
  }

  /** An unfenced write (operator): revokes the lease in the same transaction, then writes under the new token. */
  async commit(source: string, checkpoint: Checkpoint): Promise<void> {
    await this.transaction(`save state for ${source}`, async (client) => {
      const token = (await client.query<{ token: string }>(REVOKE_LEASE, [source])).rows[0]!.token;
      await client.query(FENCED_COMMIT, this.commitParams(source, checkpoint, null, token));
    });
  }

  private commitParams(source: string, checkpoint: Checkpoint, owner: string | null, token: string): unknown[] {
    const { names, values, removed } = keyArrays(checkpoint.keys);
    const cap = checkpoint.dedupeCapacity;
    // A page with more new ids than the window holds keeps only its newest ones.
    const ids = checkpoint.dedupeIds ?? [];
    return [source, owner, token, names, values, removed, cap !== undefined && ids.length > cap ? ids.slice(-cap) : ids, cap ?? null];
  }

  async reset(source: string): Promise<void> {
    await this.transaction(`reset ${source}`, async (client) => {
      await client.query(REVOKE_LEASE, [source]);
      await client.query('DELETE FROM hel_state WHERE source = $1', [source]);
      await client.query('DELETE FROM hel_dedupe WHERE source = $1', [source]);
    });
  }

  private async transaction(what: string, fn: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.failed(err, what);
    }
    try {
      await client.query('BEGIN');
      await fn(client);
      await client.query('COMMIT');
      this.ok = true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.failed(err, what);
    } finally {
      client.release();
    }
  }

  async sources(): Promise<string[]> {
    const rows = await this.query<{ source: string }>('list sources', 'SELECT source FROM hel_state UNION SELECT source FROM hel_dedupe ORDER BY source');
    return rows.map((r) => r.source);
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

  // ---- leases and membership (database time throughout)

  async heartbeat(instance: string, ttlMs: number): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      'announce this instance',
      `WITH me AS (
         INSERT INTO hel_instance (id, heartbeat_at, expires_at) VALUES ($1, now(), now() + $2 * interval '1 millisecond')
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), expires_at = excluded.expires_at RETURNING id)
       SELECT id FROM hel_instance WHERE expires_at > now() AND id <> $1 UNION SELECT id FROM me ORDER BY id`,
      [instance, ttlMs],
      this.leasePool,
    );
    return rows.map((r) => r.id);
  }

  async leave(instance: string): Promise<void> {
    await this.query('release leases', 'UPDATE hel_lease SET owner = NULL, expires_at = NULL WHERE owner = $1', [instance], this.leasePool);
    await this.query('leave the fleet', 'DELETE FROM hel_instance WHERE id = $1', [instance], this.leasePool);
  }

  async acquire(source: string, owner: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    const rows = await this.query<{ token: string; expires_ms: number; previous: string | null }>(`acquire the lease of ${source}`, ACQUIRE, [source, owner, ttlMs], this.leasePool);
    const row = rows[0];
    if (row === undefined) return undefined;
    const grant: LeaseGrant = { source, owner, token: row.token, expiresAt: row.expires_ms };
    if (row.previous !== null && row.previous !== owner) grant.tookOverFrom = row.previous;
    return grant;
  }

  async renew(owner: string, leases: readonly Lease[], ttlMs: number): Promise<Map<string, number>> {
    if (leases.length === 0) return new Map();
    const rows = await this.query<{ source: string; expires_ms: number }>(
      'renew leases',
      `UPDATE hel_lease l SET expires_at = now() + $4 * interval '1 millisecond'
       FROM unnest($2::text[], $3::bigint[]) AS t(source, token)
       WHERE l.source = t.source AND l.token = t.token AND l.owner = $1
       RETURNING l.source, extract(epoch FROM l.expires_at)::float8 * 1000 AS expires_ms`,
      [owner, leases.map((l) => l.source), leases.map((l) => l.token), ttlMs],
      this.leasePool,
    );
    return new Map(rows.map((r) => [r.source, r.expires_ms]));
  }

  async release(lease: Lease): Promise<void> {
    await this.query(
      `release the lease of ${lease.source}`,
      'UPDATE hel_lease SET owner = NULL, expires_at = NULL WHERE source = $1 AND owner = $2 AND token = $3',
      [lease.source, lease.owner, lease.token],
      this.leasePool,
    );
  }

  async leases(): Promise<LeaseInfo[]> {
    const rows = await this.query<{ source: string; owner: string | null; token: string; expires_ms: number | null }>(
      'list leases',
      `SELECT source, CASE WHEN expires_at > now() THEN owner END AS owner, token::text AS token,
              CASE WHEN expires_at > now() THEN extract(epoch FROM expires_at)::float8 * 1000 END AS expires_ms
       FROM hel_lease ORDER BY source`,
      [],
      this.leasePool,
    );
    return rows.map((r) => ({ source: r.source, owner: r.owner, token: r.token, expiresAt: r.expires_ms }));
  }

  healthy(): boolean {
    return this.ok;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
    await this.leasePool.end().catch(() => undefined);
  }
}
