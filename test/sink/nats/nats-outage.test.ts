import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents, offsetOf } from '../../helpers/fake-api.js';
import { bearer, getJson, daemonGlobal, startDaemon, startHel, waitFor, writeConfig } from '../../helpers/hel-process.js';
import { startNatsServer } from '../../helpers/nats-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { readStream } from '../../helpers/nats-stream.js';

const TOTAL = 20_000;
const PAGE = 100;
const OUTAGE_MS = 8_000;

test('JetStream down for a while mid-backfill: sources pause (cursor never past a PubAck), /readyz says why, and collection resumes by itself with every event once', async (t) => {
  const nats = await startNatsServer(t);
  const events = makeEvents(TOTAL);
  const feed = cursorFeed(events, PAGE);
  // Slow pages, so the backfill is still running when the server goes away.
  const api = await fakeApi(t, async (req) => {
    await new Promise((r) => setTimeout(r, 15));
    return feed(req);
  });
  const dir = tempDir(t);
  const hel = await startDaemon(
    dir,
    {
      global: daemonGlobal(dir, {
        output: { nats: { timeout_secs: 1 } },
      }),
      sources: {
        op: {
          url: `${api.url}/api/v2/events`,
          method: 'post',
          body: { limit: PAGE },
          schedule: { interval_secs: 1 },
          pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 100_000 },
          dedupe: { id_path: 'uuid' },
        },
      },
    },
    { args: ['--output', nats.url] },
  );
  t.after(() => hel.stop());
  const api_ = hel.urls.api!;

  await waitFor(() => api.requests.length >= 30, 30_000, 'the backfill to start');
  await nats.stop();
  // The server acknowledges until it has exited; from here on nothing can be stored.
  const outageStart = Date.now();

  const ready = await waitFor(
    async () => {
      const r = await getJson(`${api_}/readyz`);
      return r.status === 503 ? r.body : undefined;
    },
    15_000,
    '/readyz to report the output down',
  );
  assert.equal(ready.output_healthy, false);
  assert.match(String(ready.output_problem), /nats:\/\/127\.0\.0\.1:\d+/);

  // Paused: at most the prefetched next page is requested while the receiver is down.
  await new Promise((r) => setTimeout(r, 1500));
  const requestsPaused = api.requests.length;
  await new Promise((r) => setTimeout(r, OUTAGE_MS - 1500));
  assert.ok(api.requests.length - requestsPaused <= 1, `the source kept polling while the receiver was down (${api.requests.length - requestsPaused} requests)`);
  const committed = (await getJson(`${api_}/api/v1/sources/op/state`, bearer)).body.keys as Record<string, string>;
  const cursor = offsetOf(committed.cursor);
  assert.ok(cursor < TOTAL, 'the outage happened before the backfill ended');
  const metricsDuring = await (await fetch(`${hel.urls.metrics}/metrics`)).text();
  assert.match(metricsDuring, /^hel_output_retries_total [1-9]/m);

  await nats.start();
  await waitFor(async () => (await getJson(`${api_}/readyz`)).status === 200, 30_000, '/readyz to recover');
  await waitFor(
    async () => {
      const keys = (await getJson(`${api_}/api/v1/sources/op/state`, bearer)).body.keys as Record<string, string>;
      return offsetOf(keys.cursor) >= TOTAL;
    },
    120_000,
    'the backfill to finish',
  );

  const messages = await readStream(nats.url, 'HEL');
  const byUuid = new Map<string, { storedAt: number; n: number }>();
  for (const m of messages) {
    const uuid = (JSON.parse(m.data) as { event: { uuid: string } }).event.uuid;
    const seen = byUuid.get(uuid);
    byUuid.set(uuid, { storedAt: seen?.storedAt ?? m.storedAt, n: (seen?.n ?? 0) + 1 });
  }
  assert.equal(events.filter((e) => !byUuid.has(e.uuid)).length, 0, 'events missing from the stream');
  assert.equal([...byUuid.values()].filter((v) => v.n > 1).length, 0, 'events stored twice');
  // Every event before the cursor committed during the outage was stored before the outage began.
  const lateAcked = events.slice(0, cursor).filter((e) => byUuid.get(e.uuid)!.storedAt >= outageStart);
  assert.deepEqual(
    lateAcked.map((e) => e.uuid),
    [],
    `the cursor (${committed.cursor}) was ahead of the PubAcks`,
  );
  assert.match(hel.stderr(), /delivery to NATS JetStream .* failing \(1 attempt\)/);
  assert.match(hel.stderr(), /output recovered/);
  // The sink's metrics: each event newly stored once; the failed flushes of the outage counted.
  const metrics = await (await fetch(`${hel.urls.metrics}/metrics`)).text();
  const series = (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  assert.equal(series('hel_output_events_total{sink="nats",result="delivered"}'), TOTAL);
  assert.ok(series('hel_output_batches_total{sink="nats"}') >= TOTAL / PAGE);
  assert.ok(series('hel_output_attempt_failures_total{sink="nats",reason="no_response"}') >= 1, 'the outage counted as failed attempts');
  assert.equal(series('hel_output_delivery_duration_seconds_count{sink="nats"}'), series('hel_output_batches_total{sink="nats"}'));
});

test('JetStream down when `hel run --once` starts: it waits, retrying, instead of failing, and delivers every event once the server is up', async (t) => {
  const nats = await startNatsServer(t);
  await nats.stop();
  const events = makeEvents(500);
  const api = await fakeApi(t, cursorFeed(events, PAGE));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      op: {
        url: `${api.url}/api/v2/events`,
        method: 'post',
        body: { limit: PAGE },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace' },
        dedupe: { id_path: 'uuid' },
      },
    },
  });
  const proc = startHel(t, ['run', '--once', '-c', config, '--output', nats.url, '--state', join(dir, 'state.db')]);
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await waitFor(() => /cannot connect to nats:\/\/127\.0\.0\.1:\d+.*retrying in/.test(proc.stderr()) || exited, 30_000, 'a retry warning while the server is down');
  assert.equal(exited, false, `hel gave up while the server was down: ${proc.stderr()}`);
  await nats.start();
  const result = await proc.exited;
  assert.equal(result.code, 0, proc.stderr());
  const uuids = (await readStream(nats.url, 'HEL')).map((m) => (JSON.parse(m.data) as { event: { uuid: string } }).event.uuid);
  assert.equal(uuids.length, events.length);
  assert.equal(new Set(uuids).size, events.length);
});
