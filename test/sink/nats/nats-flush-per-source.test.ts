import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { isHelError } from '../../../src/errors.js';
import { natsOutputSchema } from '../../../src/config/nats-schema.js';
import { NatsSink } from '../../../src/sink/nats/nats-sink.js';
import { backpressureSchema } from '../../../src/config/backpressure-schema.js';
import { withBackpressure } from '../../../src/sink/backpressure/index.js';
import { cursorFeed, fakeApi, makeEvents, offsetOf, type SeenRequest } from '../../helpers/fake-api.js';
import { bearer, getJson, startDaemon, waitFor } from '../../helpers/hel-process.js';
import { startNatsServer } from '../../helpers/nats-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { eventBatch } from '../../helpers/sink-batches.js';
import { readStream } from '../../helpers/nats-stream.js';

const never = new AbortController().signal;

/**
 * A TCP relay in front of nats-server that can go silent: while `frozen`, what the client sends is
 * swallowed, so its publishes never reach the server and no PubAck comes back, while the
 * connection stays open (the client sees no disconnect).
 */
async function freezableRelay(t: { after(fn: () => unknown): void }, target: number): Promise<{ url: string; frozen: boolean }> {
  const sockets = new Set<Socket>();
  const relay = { url: '', frozen: false };
  const server = createServer((client) => {
    const upstream = tcpConnect(target, '127.0.0.1');
    client.on('data', (chunk) => {
      if (!relay.frozen) upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  relay.url = `nats://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return relay;
}

test("a source's flush waits only for its own PubAcks: a timeout of one source neither fails the other nor lets it pass unacknowledged", async (t) => {
  const server = await startNatsServer(t);
  const relay = await freezableRelay(t, server.port);
  const nats = await NatsSink.open({ url: new URL(relay.url), config: natsOutputSchema.parse({ timeout_secs: 1 }) });
  t.after(() => nats.close());
  // As the engine holds it with backpressure.enabled: false (a stall watch around the sink), which hands the source on.
  const sink = withBackpressure(nats, backpressureSchema.parse({ enabled: false }));

  await sink.write(eventBatch('a', 0, 5), never);
  await sink.flush(never, 'a');
  relay.frozen = true;
  await sink.write(eventBatch('b', 0, 5, 'b'), never);
  // Nothing of a's is outstanding: b's missing PubAcks are not a's to wait for, nor to fail on.
  await sink.flush(never, 'a');
  await sink.write(eventBatch('a', 5, 5), never);
  const missing = (n: number) => (err: unknown) => isHelError(err) && err.code === 'HEL_OUTPUT_UNAVAILABLE' && new RegExp(`no PubAck .* for ${n} of ${n} messages`).test(err.message);
  await assert.rejects(sink.flush(never, 'a'), missing(5));
  // a's failed flush gave up on a's messages only: b's are still outstanding, so b cannot commit.
  await assert.rejects(sink.flush(never, 'b'), missing(5));
  relay.frozen = false;

  // Each source sends its page again (its poll fetches it again) and it is acknowledged.
  await sink.write(eventBatch('a', 5, 5), never);
  await sink.write(eventBatch('b', 0, 5, 'b'), never);
  await sink.flush(never, 'b');
  await sink.flush(never, 'a');
  const ids = (await readStream(server.url, 'HEL')).map((m) => m.msgId);
  assert.equal(ids.filter((id) => id?.startsWith('a:')).length, 10);
  assert.equal(ids.filter((id) => id?.startsWith('b:')).length, 5);
  assert.equal(new Set(ids).size, 15);
});

test("a message JetStream refuses fails the flush of its own source only; the other source's flush, before or after it, resolves", async (t) => {
  const server = await startNatsServer(t);
  const nc = await connect({ servers: `127.0.0.1:${server.port}` });
  await (await jetstreamManager(nc)).streams.add({ name: 'HEL', subjects: ['hel.events.*'], max_msg_size: 200 });
  await nc.close();
  const sink = await NatsSink.open({ url: new URL(server.url), config: natsOutputSchema.parse({ timeout_secs: 5 }) });
  t.after(() => sink.close());

  const big = eventBatch('b', 0, 1, 'b'.repeat(300));
  await sink.write(eventBatch('a', 0, 5), never);
  await sink.write(big, never);
  await sink.write(eventBatch('a', 5, 5), never);
  // a flushes first: b's refusal is not a's failure and is still b's to report.
  await sink.flush(never, 'a');
  await assert.rejects(sink.flush(never, 'b'), (err: unknown) => isHelError(err) && err.code === 'HEL_OUTPUT' && /JetStream refused a message/.test(err.message));
  assert.equal((await readStream(server.url, 'HEL')).length, 10);
});

test('hel run, two sources, backpressure.enabled: false: JetStream silent for 4.5 s mid-backfill: no cursor moves meanwhile, no source commits past a lost message, every event of both reaches the stream', async (t) => {
  const TOTAL = 10_000;
  const PAGE = 100;
  const nats = await startNatsServer(t);
  const relay = await freezableRelay(t, nats.port);
  const events = makeEvents(TOTAL);
  const feed = cursorFeed(events, PAGE);
  const slowFeed = async (req: SeenRequest) => {
    await new Promise((r) => setTimeout(r, 15));
    return feed(req);
  };
  const apis = { a: await fakeApi(t, slowFeed), b: await fakeApi(t, slowFeed) };
  const source = (url: string) => ({
    url: `${url}/api/v2/events`,
    method: 'post',
    body: { limit: PAGE },
    schedule: { interval_secs: 1 },
    pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 100_000 },
    dedupe: { id_path: 'uuid' },
  });
  const dir = tempDir(t);
  const hel = await startDaemon(
    dir,
    {
      global: {
        state: { path: join(dir, 'state.db') },
        log_format: 'json',
        api: { enabled: true, address: '127.0.0.1', port: 0 },
        output: { nats: { timeout_secs: 1 } },
        backpressure: { enabled: false },
      },
      sources: { a: source(apis.a.url), b: source(apis.b.url) },
    },
    { args: ['--output', relay.url], listeners: ['api'] },
  );
  t.after(() => hel.stop());
  const cursorOf = async (name: string) => offsetOf(((await getJson(`${hel.urls.api!}/api/v1/sources/${name}/state`, bearer)).body.keys as Record<string, string>).cursor);

  await waitFor(() => apis.a.requests.length >= 5 && apis.b.requests.length >= 5, 30_000, 'both backfills to start');
  relay.frozen = true;
  // Past the 1 s PubAck timeout every flush begun before the silence has ended; from then on no
  // PubAck can arrive, so no cursor may move until the relay speaks again
  // (2.5 s leaves room for the commits of the flushes that ended then, on a loaded machine).
  await new Promise((r) => setTimeout(r, 2_500));
  const during = [await cursorOf('a'), await cursorOf('b')];
  await new Promise((r) => setTimeout(r, 2_000));
  const after = [await cursorOf('a'), await cursorOf('b')];
  relay.frozen = false;
  assert.deepEqual(after, during, 'a source committed pages while no PubAck could arrive');
  assert.ok(
    after.every((c) => c < TOTAL),
    'the silence came before the backfills ended',
  );
  await waitFor(async () => (await cursorOf('a')) >= TOTAL && (await cursorOf('b')) >= TOTAL, 120_000, 'both backfills to finish');

  const stored = new Set((await readStream(nats.url, 'HEL')).map((m) => m.msgId));
  for (const name of ['a', 'b']) {
    const missing = events.filter((e) => !stored.has(`${name}:${e.uuid}`)).map((e) => e.uuid);
    assert.deepEqual(missing.slice(0, 5), [], `source ${name} committed past ${missing.length} events the stream never stored`);
  }
  assert.match(hel.stderr(), /no PubAck from nats:\/\/127\.0\.0\.1:\d+ within 1 s/);
});
