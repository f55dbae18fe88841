import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHelError } from '../../../src/errors.js';
import { FakeClock } from '../../helpers/clock.js';
import { waitFor } from '../../helpers/hel-process.js';
import { SplunkHecFake, splitConcatenated } from '../../helpers/http-receivers/splunk-hec.js';
import { prng } from '../../helpers/http-receivers/receiver.js';
import { driveAndCheck, openSink, page } from './harness.js';

const TOKEN = 'hec-token-0001';
const env = { HEC_TOKEN: TOKEN };
const http = (extra: Record<string, unknown> = {}) => ({ format: 'splunk_hec', auth: { type: 'bearer', token_env: 'HEC_TOKEN' }, batch_size: 50, ack_poll_ms: 100, ...extra });

async function hec(t: { after(fn: () => unknown): void }): Promise<SplunkHecFake> {
  const fake = await new SplunkHecFake().start();
  t.after(() => fake.stop());
  return fake;
}

const indexedIds = (fake: SplunkHecFake) => () => new Set(fake.indexed.map((e) => String(e.event.event && (e.event.event as { uuid: string }).uuid)));

test('HEC acknowledging late: each flush waits until Splunk reports its batches indexed', async (t) => {
  const fake = await hec(t);
  fake.ackAfterQueries = 4;
  const clock = new FakeClock();
  const { sink } = openSink(fake.url, http(), clock, env);
  t.after(() => sink.close());
  await driveAndCheck(
    sink,
    Array.from({ length: 10 }, (_, i) => page('audit', i * 120, 120)),
    indexedIds(fake),
  );
  assert.equal(fake.indexed.length, 1200);
  assert.ok(fake.ackQueries >= 4);
  // Each event is wrapped with the HEC fields; time is the event's, in seconds.
  const e = fake.indexed[0]!;
  assert.deepEqual(Object.keys(e), ['time', 'host', 'source', 'sourcetype', 'event']);
  assert.equal(e.source, 'audit');
  assert.equal(e.sourcetype, 'hel');
  assert.equal(e.time, Date.parse((e.event.event as { timestamp: string }).timestamp) / 1000);
  // All requests used one channel.
  assert.equal(fake.channels.size, 1);
});

test('a batch waiting for its indexer acknowledgment frees its request slot for the next batch', async (t) => {
  const fake = await hec(t);
  fake.ackAfterQueries = Number.MAX_SAFE_INTEGER;
  const { sink } = openSink(fake.url, http({ batch_size: 10, max_in_flight: 1 }), new FakeClock(), env);
  t.after(() => sink.close());
  const signal = new AbortController().signal;
  // Three full batches through one slot: the write returns only if each received batch lets the next go.
  await sink.write(page('audit', 0, 30), signal);
  const flushed = sink.flush(signal);
  await waitFor(() => [...fake.channels.values()][0]?.pending.size === 3, 5000, 'three batches awaiting their ack');
  assert.equal(fake.indexed.length, 0);
  for (const entry of [...fake.channels.values()][0]!.pending.values()) entry.queriesLeft = 0;
  await flushed;
  assert.equal(fake.indexed.length, 30);
});

test('an ackId Splunk never confirms (data lost in the indexer) is re-sent after ack_timeout_secs; nothing is missing', async (t) => {
  const fake = await hec(t);
  fake.loseRate = 0.3;
  fake.random = prng(3);
  const clock = new FakeClock();
  const { sink, logs } = openSink(fake.url, http({ ack_timeout_secs: 5 }), clock, env);
  t.after(() => sink.close());
  await driveAndCheck(
    sink,
    Array.from({ length: 6 }, (_, i) => page('audit', i * 100, 100)),
    indexedIds(fake),
  );
  assert.equal(new Set(indexedIds(fake)()).size, 600);
  assert.ok(sink.stats.retries > 0);
  assert.match(logs(), /did not report ackId \d+ indexed within 5 s/);
});

test('HEC faults: 30% 503 "Server is busy" and a token without acknowledgment', async (t) => {
  const fake = await hec(t);
  fake.faults = { errorRate: 0.3, status: 503, random: prng(5) };
  const { sink } = openSink(fake.url, http(), new FakeClock(), env);
  await driveAndCheck(
    sink,
    Array.from({ length: 8 }, (_, i) => page('audit', i * 100, 100)),
    indexedIds(fake),
  );
  assert.equal(fake.indexed.length, 800);
  await sink.close();

  // Without indexer acknowledgment a 200 is all there is: trusted unless require_ack is set.
  fake.useAck = false;
  fake.faults = {};
  const plain = openSink(fake.url, http(), new FakeClock(), env).sink;
  await driveAndCheck(plain, [page('audit', 800, 10)], indexedIds(fake));
  await plain.close();
  const strict = openSink(fake.url, http({ require_ack: true }), new FakeClock(), env).sink;
  const signal = new AbortController().signal;
  await strict.write(page('audit', 810, 10), signal);
  await assert.rejects(strict.flush(signal), (err) => isHelError(err) && /without an ackId/.test(err.message) && /enable indexer acknowledgment/.test(err.context.hint ?? ''));
  await strict.close();
});

test('an index the token may not write to is refused with code 7 and the fix', async (t) => {
  const fake = await hec(t);
  fake.allowedIndexes = new Set(['main']);
  const { sink } = openSink(fake.url, http({ index: 'security' }), new FakeClock(), env);
  const signal = new AbortController().signal;
  await sink.write(page('audit', 0, 3), signal);
  await assert.rejects(sink.flush(signal), (err) => isHelError(err) && err.code === 'HEL_OUTPUT' && /code 7 \("Incorrect index"\)/.test(err.message) && /allowed indexes/.test(err.context.hint ?? ''));
  await sink.close();
});

test("the fake reads HEC's concatenated JSON objects", () => {
  assert.deepEqual(splitConcatenated('{"a":"}"}{"b":{"c":1}}\n {"d":"\\"{"}'), [{ a: '}' }, { b: { c: 1 } }, { d: '"{' }]);
  assert.throws(() => splitConcatenated('{"a":1}x'));
});
