import type { PoolClient } from 'pg';
import { HelError } from '../../errors.js';

/**
 * Hel's tables in PostgreSQL, created and migrated by Hel itself. Each entry moves the schema from
 * version N-1 to N; the applied version is kept in `hel_schema`. Instances migrate under an
 * advisory lock, so a fleet starting at once applies each step exactly once. docs/fleet.md lists them.
 */
const MIGRATIONS: readonly string[] = [
  // 1: per-source state as in SQLite, plus leases, instance membership and shared request budgets.
  `
  CREATE TABLE hel_state (
    source text NOT NULL, key text NOT NULL, value text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, key));
  CREATE TABLE hel_dedupe (
    source text NOT NULL, seq bigint NOT NULL, id text NOT NULL,
    PRIMARY KEY (source, seq));
  CREATE TABLE hel_lease (
    source text PRIMARY KEY, owner text, token bigint NOT NULL, expires_at timestamptz, acquired_at timestamptz);
  CREATE TABLE hel_instance (
    id text PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now(), heartbeat_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);
  CREATE TABLE hel_budget_slot (
    id bigserial PRIMARY KEY, budget text NOT NULL, owner text NOT NULL, taken_at timestamptz NOT NULL, done_at timestamptz);
  CREATE INDEX hel_budget_slot_by_budget ON hel_budget_slot (budget, done_at);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** An arbitrary constant: the advisory lock key Hel's migrations take. */
const MIGRATION_LOCK = 4_815_162_342;

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer Hel. */
export async function migrate(client: PoolClient): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS hel_schema (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const row = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM hel_schema');
    const current = row.rows[0]?.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new HelError('HEL_STATE', `the PostgreSQL state schema is version ${current}, newer than this Hel understands (${SCHEMA_VERSION})`, {
        hint: 'upgrade this instance to the version the rest of the fleet runs',
      });
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      await client.query('BEGIN');
      try {
        await client.query(MIGRATIONS[version - 1]!);
        await client.query('INSERT INTO hel_schema (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    return SCHEMA_VERSION;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
