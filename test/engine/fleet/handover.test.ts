import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { SHARED_BACKENDS, startStateServer, type StateServer } from '../../helpers/state-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { eventually, fleetConfig, owners, pagedApi, shares, startInstance } from './harness.js';

// A source handed over (rebalanced away, or its instance stopping) must not wait for the request
// budget: its work is cancelled at once, even in a budget wait that would last an hour.

const HOURLY = 12;

for (const backend of SHARED_BACKENDS)
  describe(`handover during a request-budget wait (${backend})`, { timeout: 240_000 }, () => {
    let server: StateServer;
    before(async () => {
      server = await startStateServer(backend);
    });
    after(async () => {
      await server?.stop();
    });

    test('an instance whose sources all wait for a spent hourly budget hands half of them to a joining instance, and a clean stop hands over the rest at once', async (t) => {
      const dir = tempDir(t);
      const db = await server.createDatabase();
      const api = await pagedApi(t, { pages: 1000, perPage: 1 });
      const sources = ['s0', 's1', 's2', 's3', 's4', 's5'];
      const path = fleetConfig(dir, { api: api.url, sources, ttlSecs: 3, intervalSecs: 0.2, backend });
      const config = parse(readFileSync(path, 'utf8')) as { sources: Record<string, { resilience: { rate_limit: Record<string, unknown> } }> };
      for (const s of Object.values(config.sources)) s.resilience.rate_limit = { ...s.resilience.rate_limit, budget: 'account', max_requests_per_hour: HOURLY };
      writeFileSync(path, stringify(config));

      const a = startInstance(t, path, db, 'a', join(dir, 'a.ndjson'));
      await eventually(async () => (await owners(server, db)).size === sources.length && api.requests.length >= HOURLY, 60_000, 'a to hold every source and spend the hourly budget');
      // Every source of a now waits for the budget: the next slot frees in an hour.
      const b = startInstance(t, path, db, 'b', join(dir, 'b.ndjson'));
      await eventually(async () => JSON.stringify(shares(await owners(server, db))) === JSON.stringify({ a: 3, b: 3 }), 60_000, 'three sources handed over to b').catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(shares(await owners(server, db)))}\n${a.stderr().slice(-3000)}`);
      });

      a.child.kill('SIGTERM');
      assert.equal((await a.exited).code, 0, a.stderr());
      await eventually(async () => JSON.stringify(shares(await owners(server, db))) === JSON.stringify({ b: 6 }), 60_000, 'b to hold every source after a stopped');
      assert.ok(a.stderr().includes('handing'), 'a logged the handover');
      assert.equal(api.requests.length, HOURLY, 'the budget still held: no request beyond it');
      b.child.kill('SIGTERM');
      assert.equal((await b.exited).code, 0, b.stderr());
    });
  });
