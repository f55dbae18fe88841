import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../src/config/load.js';
import { cancelled, isHelError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { openRuntime } from '../../src/cli/open-runtime.js';
import { PostgresStateStore } from '../../src/state/postgres/store.js';
import { SCHEMA_VERSION } from '../../src/state/postgres/schema.js';
import type { Clock } from '../../src/clock.js';
import { fakeApi } from '../helpers/fake-api.js';
import { rejectionOf } from '../helpers/hel-error.js';
import { hel, writeConfig } from '../helpers/hel-process.js';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { captureStream } from '../helpers/log-capture.js';

let cluster: PgCluster;
before(async () => {
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});

async function sql<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  return (await rejectionOf(promise, 'the write to be refused')).code;
}

describe('PostgreSQL state store', { timeout: 60_000 }, () => {
  test('creates its versioned schema once, even when instances start together, and refuses a newer one', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStateStore.open(url, undefined)));
    for (const s of stores) await s.close();
    assert.deepEqual(
      await sql<{ version: number }>(url, 'SELECT version FROM hel_schema ORDER BY version'),
      Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    await sql(url, 'INSERT INTO hel_schema (version) VALUES ($1)', [SCHEMA_VERSION + 1]);
    await assert.rejects(PostgresStateStore.open(url, undefined), (err: Error) => /schema is version 2, newer than this Hel understands \(1\)/.test(err.message));
  });

  test('a connection failure is one clear line without the password', async () => {
    const err = await PostgresStateStore.open(`postgres://hel:s3cret-pw@127.0.0.1:${cluster.port}/no_such_db`, undefined).catch((e: Error) => e);
    assert.ok(isHelError(err));
    assert.equal(err.code, 'HEL_STATE');
    assert.match(err.message, /cannot open the PostgreSQL state at postgres:\/\/127\.0\.0\.1:\d+\/no_such_db/);
    assert.doesNotMatch(err.message + (err.context.hint ?? ''), /s3cret/);
  });

  test('the engine: a page fetched after the lease was taken over is neither written nor checkpointed; logged, and the source dropped', async (t) => {
    const dir = tempDir(t);
    const url = await cluster.createDatabase();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const api = await fakeApi(t, async () => {
      await held;
      return { body: { items: [{ id: 'e1' }, { id: 'e2' }], cursor: 'after-e2', has_more: false } };
    });
    const path = writeConfig(dir, {
      global: { state: { backend: 'postgres', url, lease_ttl_secs: 0.5, instance_id: 'frozen' } },
      sources: { src: { url: `${api.url}/events`, response_events_path: 'items', dedupe: { id_path: 'id' }, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' } } },
    });
    // This instance's clock never fires: it is paused as far as its lease renewals go.
    const frozen: Clock = { now: () => Date.now(), sleep: (_ms, signal) => new Promise((_, reject) => signal?.addEventListener('abort', () => reject(cancelled()))) };
    const log = captureStream();
    const opened = await openRuntime(loadConfig(path), { output: join(dir, 'out.ndjson') }, { logger: createLogger({ level: 'info', format: 'json', destination: log.stream }), clock: frozen });
    const other = await PostgresStateStore.open(url, undefined);
    try {
      const polling = opened.runtime.pollNow('src', AbortSignal.timeout(20_000));
      while (api.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 600));
      const grant = await other.acquire('src', 'other', 60_000);
      assert.equal(grant?.tookOverFrom, 'frozen', 'the lease expired without renewals and was taken over');
      release();
      const outcome = await polling;
      assert.equal(outcome.ok, false);
      assert.ok('error' in outcome && isHelError(outcome.error) && outcome.error.code === 'HEL_LEASE_LOST', JSON.stringify(outcome));
      assert.match((outcome as { error: Error }).error.message, /write of a page \(the lease was not renewed in time.*\) refused/);
      const after = await other.load('src');
      assert.equal(after.keys.cursor, undefined, 'the cursor did not move');
      assert.deepEqual(after.dedupeIds, [], 'the dedupe window did not move');
      assert.ok(
        log.lines().some((l) => l.code === 'HEL_LEASE_LOST' && /lease of src lost \(write of a page/.test(String(l.msg))),
        log.text(),
      );
      assert.equal((await other.leases())[0]!.owner, 'other');
      // Its lease not renewed for longer than the TTL, the instance did not write the page the new holder delivers (docs/fleet.md, a paused instance).
      assert.equal(existsSync(join(dir, 'out.ndjson')) ? readFileSync(join(dir, 'out.ndjson'), 'utf8').trim() : '', '');
    } finally {
      await opened.close();
      await other.close();
    }
  });

  test('hel state show/set/reset/export/import work against PostgreSQL while a lease is held, and show owner and expiry', async (t) => {
    const dir = tempDir(t);
    const url = await cluster.createDatabase();
    const path = writeConfig(dir, { global: { state: { backend: 'postgres', url_env: 'HEL_TEST_STATE_URL' } }, sources: { src: { url: 'http://127.0.0.1:9/x' } } });
    const env = { HEL_TEST_STATE_URL: url };
    const store = await PostgresStateStore.open(url, undefined);
    try {
      const lease = (await store.acquire('src', 'host-1:123', 60_000))!;
      await store.commitFenced('src', { keys: { cursor: 'c1' }, dedupeIds: ['a', 'b'] }, lease);
      const shown = await hel(['state', 'show', '--json', '-c', path], { env });
      assert.equal(shown.code, 0, shown.stderr);
      const view = JSON.parse(shown.stdout) as Record<string, Record<string, unknown>>;
      assert.equal(view.src!.cursor, 'c1');
      assert.equal(view.src!.owner, 'host-1:123');
      assert.equal(view.src!.dedupe_window, 2);
      assert.ok(Math.abs(Date.parse(String(view.src!.lease_expires_at)) - lease.expiresAt) < 1000);

      const exported = await hel(['state', 'export', '-c', path], { env });
      assert.equal(exported.code, 0, exported.stderr);
      assert.deepEqual(JSON.parse(exported.stdout), { src: { keys: { cursor: 'c1' }, dedupe_ids: ['a', 'b'] } });

      const set = await hel(['state', 'set', 'src', 'cursor', 'c9', '-c', path], { env });
      assert.equal(set.code, 0, set.stderr);
      assert.equal((await store.load('src')).keys.cursor, 'c9');
      assert.equal(await refusal(store.commitFenced('src', { keys: { cursor: 'c2' } }, lease)), 'HEL_LEASE_LOST', 'the holder was fenced out by the operator');
      const afterSet = JSON.parse((await hel(['state', 'show', '--json', '-c', path], { env })).stdout) as Record<string, Record<string, unknown>>;
      assert.equal(afterSet.src!.owner, null);

      const imported = await hel(['state', 'import', '-c', path], { env, input: JSON.stringify({ src: { keys: { cursor: 'imp' }, dedupe_ids: ['z'] } }) });
      assert.equal(imported.code, 0, imported.stderr);
      assert.deepEqual(await store.load('src'), { keys: { cursor: 'imp' }, dedupeIds: ['z'] });
      const reset = await hel(['state', 'reset', 'src', '-c', path], { env });
      assert.equal(reset.code, 0, reset.stderr);
      assert.deepEqual(await store.load('src'), { keys: {}, dedupeIds: [] });
    } finally {
      await store.close();
    }
  });
});
