import type pg from 'pg';
import type { BudgetLedger, BudgetTake, BudgetWindow } from '../../resilience/budget.js';

/**
 * A request in flight counts until its response arrives, but an instance killed meanwhile never
 * reports that: its slot is taken as done this long after it was taken (more than any request
 * timeout Hel allows).
 */
const IN_FLIGHT_CAP_MS = 300_000;

/** Rechecks at least this often while the only slots left in a window are still in flight. */
const IN_FLIGHT_RECHECK_MS = 250;

/**
 * Request budgets shared by every instance of a fleet: one row per request, counted per window in
 * database time under an advisory lock per budget, so check-and-take is atomic across instances.
 */
export class PostgresBudgetLedger implements BudgetLedger {
  constructor(
    private readonly pool: pg.Pool,
    private readonly failed: (err: unknown) => Error,
  ) {}

  async take(budget: string, owner: string, windows: readonly BudgetWindow[]): Promise<BudgetTake> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.failed(err);
    }
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('hel_budget:' || $1, 0))`, [budget]);
      const longest = Math.max(...windows.map((w) => w.windowMs));
      await client.query(`DELETE FROM hel_budget_slot WHERE budget = $1 AND (done_at < now() - $2 * interval '1 millisecond' OR taken_at < now() - $3 * interval '1 millisecond')`, [
        budget,
        longest,
        longest + IN_FLIGHT_CAP_MS,
      ]);
      let waitMs = 0;
      for (const w of windows) waitMs = Math.max(waitMs, await this.waitFor(client, budget, w));
      if (waitMs > 0) {
        await client.query('COMMIT');
        return { waitMs };
      }
      const row = await client.query<{ id: string }>('INSERT INTO hel_budget_slot (budget, owner, taken_at) VALUES ($1, $2, now()) RETURNING id::text AS id', [budget, owner]);
      await client.query('COMMIT');
      const id = row.rows[0]!.id;
      return {
        done: () => {
          // Best effort: should this fail, the slot still frees itself after IN_FLIGHT_CAP_MS.
          this.pool.query('UPDATE hel_budget_slot SET done_at = now() WHERE id = $1', [id]).catch(() => undefined);
        },
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.failed(err);
    } finally {
      client.release();
    }
  }

  /** How long until one more request fits in window `w` (0 = now). */
  private async waitFor(client: pg.PoolClient, budget: string, w: BudgetWindow): Promise<number> {
    const used = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM hel_budget_slot
       WHERE budget = $1 AND (done_at IS NULL OR done_at > now() - $2 * interval '1 millisecond')`,
      [budget, w.windowMs],
    );
    const { n } = used.rows[0]!;
    if (n < w.limit) return 0;
    // The (n - limit + 1)-th finished request to leave the window frees the slot we need.
    const leaving = await client.query<{ ms: number }>(
      `SELECT extract(epoch FROM (done_at + $2 * interval '1 millisecond' - now()))::float8 * 1000 AS ms FROM hel_budget_slot
       WHERE budget = $1 AND done_at > now() - $2 * interval '1 millisecond' ORDER BY done_at OFFSET $3 LIMIT 1`,
      [budget, w.windowMs, n - w.limit],
    );
    const ms = leaving.rows[0]?.ms;
    // Too few have finished: the one we wait for is still in flight, and its end is unknown.
    return ms === undefined ? IN_FLIGHT_RECHECK_MS : Math.max(1, Math.ceil(ms));
  }
}
