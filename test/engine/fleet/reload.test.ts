import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SHARED_BACKENDS, startStateServer, type StateServer } from '../../helpers/state-server.js';
import { fakeApi } from '../../helpers/fake-api.js';
import { logEntries, startHel, waitFor, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { eventually, fleetConfig, idsIn, owners, pagedApi, shares, startInstance } from './harness.js';

const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');

for (const backend of SHARED_BACKENDS)
  describe(`SIGHUP reload in a fleet on ${backend}`, { timeout: 240_000 }, () => {
    let server: StateServer;
    before(async () => {
      server = await startStateServer(backend);
    });
    after(async () => {
      await server?.stop();
    });

    test('a source added, one removed and one changed: the leases follow, the changed one goes on from its cursor under its new config, no two instances poll one source, every event once', async (t) => {
      const dir = tempDir(t);
      const db = await server.createDatabase();
      const api = await pagedApi(t, { pages: 100_000, perPage: 2, delayMs: 20 });
      // Short polls: a reload lets the poll in flight finish, which with 1000 pages of 20 ms is half a minute.
      const base = { api: api.url, ttlSecs: 4, intervalSecs: 0.3, backend, maxPages: 5 };
      const config = fleetConfig(dir, { ...base, sources: ['s00', 's01', 's02', 's03'], configVersion: { s00: 'v1' } });
      const out = (n: string) => join(dir, `${n}.ndjson`);
      const a = startInstance(t, config, db, 'a', out('a'));
      const b = startInstance(t, config, db, 'b', out('b'));
      await eventually(async () => JSON.stringify(shares(await owners(server, db))) === JSON.stringify({ a: 2, b: 2 }), 45_000, 'an even share of the four sources');
      await waitFor(() => ['s00', 's01', 's02', 's03'].every((s) => api.requests.some((r) => r.source === s && r.cursor > 2)), 30_000, 'every source past its third page');

      // Every instance gets the new file and a SIGHUP, as an operator rolls a config change out.
      fleetConfig(dir, { ...base, sources: ['s00', 's01', 's02', 's04'], configVersion: { s00: 'v2' } });
      for (const child of [a, b]) child.child.kill('SIGHUP');
      for (const child of [a, b]) await waitFor(() => child.stderr().includes('"msg":"config reloaded"'), 30_000, 'the reload').catch((err: Error) => assert.fail(`${err.message}\n${child.stderr()}`));
      const reloadedAt = Date.now();
      for (const child of [a, b]) {
        const line = logEntries(child.stderr(), 'config reloaded')[0]!;
        assert.deepEqual([line.added, line.removed, line.changed, line.unchanged], [['s04'], ['s03'], ['s00'], ['s01', 's02']]);
      }
      await eventually(
        async () => {
          const held = await owners(server, db);
          return [...held.keys()].sort().join() === 's00,s01,s02,s04' && JSON.stringify(shares(held)) === JSON.stringify({ a: 2, b: 2 });
        },
        45_000,
        'the new four sources shared out, s03 released',
      );
      await waitFor(
        () => api.requests.some((r) => r.source === 's04' && r.cursor > 2) && api.requests.some((r) => r.source === 's00' && r.config === 'v2' && r.cursor > 0),
        30_000,
        's04 polled and s00 polled under its new config',
      );

      for (const child of [a, b]) child.child.kill('SIGTERM');
      for (const child of [a, b]) assert.equal((await child.exited).code, 0, child.stderr());

      // s00 went on from its cursor: its first request under v2 asked for the page after the last one under v1.
      const s00 = api.requests.filter((r) => r.source === 's00');
      const firstV2 = s00.find((r) => r.config === 'v2')!;
      const lastV1 = Math.max(...s00.filter((r) => r.config === 'v1').map((r) => r.cursor));
      assert.ok(firstV2.cursor >= lastV1 && firstV2.cursor <= lastV1 + 1, `first v2 cursor ${firstV2.cursor}, last v1 cursor ${lastV1}`);
      assert.ok(
        s00.filter((r) => r.arrived > reloadedAt).every((r) => r.config === 'v2'),
        'no v1 request after the reload',
      );
      assert.deepEqual(
        api.requests.filter((r) => r.source === 's03' && r.arrived > reloadedAt),
        [],
        's03 is not polled after the reload',
      );
      assert.deepEqual(api.overlaps(), [], 'no two instances had requests for one source in flight at the same time');
      const all = [...idsIn(read(out('a'))), ...idsIn(read(out('b')))];
      assert.equal(new Set(all).size, all.length, 'no event was delivered twice');
      assert.deepEqual(
        [a, b].flatMap((c) =>
          c
            .stderr()
            .split('\n')
            .filter((l) => /reload refused|took .* over|lease of .* lost/.test(l)),
        ),
        [],
      );
    });

    test('restart_sources_on_sighup in a fleet: a source whose breaker is open is restarted with a closed breaker and polls again at once', async (t) => {
      const dir = tempDir(t);
      const db = await server.createDatabase();
      const api = await fakeApi(t, () => ({ status: 500, body: { error: 'down' } }));
      const config = writeConfig(dir, {
        global: { state: { backend, url: '${HEL_STATE_URL}', lease_ttl_secs: 4, instance_id: 'a' }, reload: { restart_sources_on_sighup: true } },
        sources: {
          down: {
            url: `${api.url}/down`,
            schedule: { interval_secs: 0.2 },
            resilience: { retries: { max_attempts: 1 }, circuit_breaker: { enabled: true, failure_threshold: 1, half_open_timeout_secs: 3600 } },
          },
        },
      });
      const a = startHel(t, ['run', '-c', config], { env: { HEL_STATE_URL: db, HEL_LOG_LEVEL: 'info' } });
      await waitFor(() => a.stderr().includes('circuit closed -> open'), 30_000, 'the breaker to open');
      // Open for an hour: no poll meanwhile.
      await new Promise((r) => setTimeout(r, 1500));
      const before = api.requests.length;
      assert.equal(before, 1);
      a.child.kill('SIGHUP');
      await waitFor(() => api.requests.length > before, 30_000, 'a poll after the restart').catch((err: Error) => assert.fail(`${err.message}\n${a.stderr()}`));
      const line = logEntries(a.stderr(), 'config reloaded')[0]!;
      assert.deepEqual(line.restarted, ['down']);
      a.child.kill('SIGTERM');
      assert.equal((await a.exited).code, 0, a.stderr());
    });
  });
