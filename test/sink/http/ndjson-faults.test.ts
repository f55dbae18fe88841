import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHelError } from '../../../src/errors.js';
import { FakeClock } from '../../helpers/clock.js';
import { waitFor } from '../../helpers/hel-process.js';
import { NdjsonReceiver } from '../../helpers/http-receivers/ndjson-receiver.js';
import { prng } from '../../helpers/http-receivers/receiver.js';
import { driveAndCheck, openSink, page, stillPending } from './harness.js';

async function receiver(t: { after(fn: () => unknown): void }): Promise<NdjsonReceiver> {
  const r = await new NdjsonReceiver().start();
  t.after(() => r.stop());
  return r;
}

const ids = (r: NdjsonReceiver) => () => new Set(r.counts().keys());

test('30% of requests answered 500: every event arrives and no commit passes an unacknowledged event', async (t) => {
  const r = await receiver(t);
  r.faults = { errorRate: 0.3, random: prng(7) };
  const clock = new FakeClock();
  const { sink } = openSink(r.url, { batch_size: 25 }, clock);
  t.after(() => sink.close());
  const pages = Array.from({ length: 40 }, (_, i) => page('audit', i * 100, 100));
  assert.equal(await driveAndCheck(sink, pages, ids(r)), 40);
  const counts = r.counts();
  assert.equal(counts.size, 4000);
  assert.ok(sink.stats.retries > 0, 'the faults were hit');
  // A 500 is answered before anything is stored, so nothing repeats.
  assert.equal(r.lines.length, 4000);
  // Backoff waits came from the injected clock: 1 s doubling, ±20% jitter at 0.5 = none.
  assert.ok(
    clock.sleeps.every((ms) => [1000, 2000, 4000, 8000, 16000, 30000].includes(ms)),
    `waits: ${[...new Set(clock.sleeps)].join(',')}`,
  );
});

test('slow answers past timeout_secs are retried; slow answers within it are simply waited for', async (t) => {
  const r = await receiver(t);
  const random = prng(11);
  r.faults = { delayMs: () => (random() < 0.2 ? 400 : 20) };
  const { sink } = openSink(r.url, { timeout_secs: 0.2, batch_size: 50 }, new FakeClock());
  t.after(() => sink.close());
  await driveAndCheck(
    sink,
    Array.from({ length: 10 }, (_, i) => page('audit', i * 50, 50)),
    ids(r),
  );
  assert.equal(r.counts().size, 500);
  assert.ok(sink.stats.retries > 0, 'some answers timed out');
  // A timed-out request may have been stored before the answer was lost: at-least-once, never fewer.
  for (const n of r.counts().values()) assert.ok(n >= 1);
});

test('the receiver down for 30 s: flush waits, healthy() is false, nothing is dropped, delivery resumes by itself', async (t) => {
  const r = await receiver(t);
  const clock = new FakeClock();
  const { sink, logs } = openSink(r.url, { max_retries: 3 }, clock);
  t.after(() => sink.close());
  const signal = new AbortController().signal;
  await driveAndCheck(sink, [page('audit', 0, 100)], ids(r));
  assert.equal(sink.healthy(), true);

  await r.stop();
  const downAt = clock.now();
  await sink.write(page('audit', 100, 100), signal);
  const flushed = sink.flush(signal);
  await waitFor(() => !sink.healthy(), 5000, 'the sink to report the receiver down');
  assert.match(logs(), /is down after 4 failed attempts.*nothing is dropped/);
  await waitFor(() => clock.now() - downAt >= 30_000, 5000, '30 s of fake time');
  assert.equal(await stillPending(flushed, 50), true, 'flush must not resolve while the receiver is down');
  assert.equal(r.counts().size, 100);

  await r.start();
  await flushed;
  assert.equal(sink.healthy(), true);
  assert.equal(r.counts().size, 200);
  assert.match(logs(), /is back after \d+ s; delivery resumes/);
  // While down, retries waited at most max_backoff_secs.
  assert.ok(Math.max(...clock.sleeps) <= 30_000);
});

test("429 with Retry-After: the wait is the receiver's, not the backoff", async (t) => {
  const r = await receiver(t);
  r.faults = { errorRate: 1, status: 429, headers: { 'retry-after': '7' } };
  const clock = new FakeClock();
  const { sink } = openSink(r.url, { batch_size: 10 }, clock);
  t.after(() => sink.close());
  const signal = new AbortController().signal;
  await sink.write(page('audit', 0, 10), signal);
  const flushed = sink.flush(signal);
  await waitFor(() => r.requests >= 2, 5000, 'two refused requests');
  const refused = r.requests;
  r.faults = {};
  await flushed;
  assert.ok(refused >= 2);
  assert.ok(clock.sleeps.length >= 1 && clock.sleeps.every((ms) => ms === 7000), `waits: ${clock.sleeps.join(',')}`);
  assert.equal(r.counts().size, 10);
});

test('413: the batch is split in halves until the receiver takes it; a single event too large fails loudly', async (t) => {
  const r = await receiver(t);
  r.maxBodyBytes = 4000;
  const { sink } = openSink(r.url, { batch_size: 100 }, new FakeClock());
  const signal = new AbortController().signal;
  await driveAndCheck(sink, [page('audit', 0, 100)], ids(r));
  assert.equal(r.counts().size, 100);

  await sink.write(
    page('audit', 100, 1, () => ({ blob: 'x'.repeat(5000) })),
    signal,
  );
  await assert.rejects(sink.flush(signal), (err) => isHelError(err) && err.code === 'HEL_OUTPUT' && /413/.test(err.message) && /larger than the receiver accepts/.test(err.context.hint ?? ''));
  assert.equal(sink.healthy(), false);
  await assert.rejects(sink.write(page('audit', 101, 1), signal), /413/);
  await sink.close();
});

test('an event refused for good fails the sink at once: a batch of another source still retrying is given up, not delivered (its source fetches it again)', async (t) => {
  const r = await receiver(t);
  r.maxBodyBytes = 4000;
  r.faults = { errorRate: 1, status: 503 };
  const clock = new FakeClock(Date.UTC(2026, 0, 1), { holdSleeps: true });
  const { sink } = openSink(r.url, { max_in_flight: 2 }, clock);
  t.after(() => sink.close());
  const signal = new AbortController().signal;
  await sink.write(page('a', 0, 5), signal);
  const flushedA = sink.flush(signal);
  flushedA.catch(() => undefined);
  await waitFor(() => clock.pending.size === 1, 5000, "a's batch to wait for its retry");
  r.faults = {};
  await sink.write(
    page('b', 0, 1, () => ({ blob: 'x'.repeat(5000) })),
    signal,
  );
  const flushedB = sink.flush(signal);
  flushedB.catch(() => undefined);
  await waitFor(() => !sink.healthy(), 5000, "the refusal of b's event");
  for (const sleep of clock.pending) sleep.release();
  const refused = (err: unknown) => isHelError(err) && err.code === 'HEL_OUTPUT' && /413/.test(err.message);
  await assert.rejects(flushedB, refused);
  await assert.rejects(flushedA, refused);
  assert.equal(r.lines.length, 0, 'nothing delivered after the failure');
});

test('a refused credential stops delivery with the fix, and the token never appears in errors or logs', async (t) => {
  const r = await receiver(t);
  r.token = 'right-token';
  const env = { OUT_TOKEN: 'wrong-token-s3cr3t' };
  const { sink, logs } = openSink(r.url, { auth: { type: 'bearer', token_env: 'OUT_TOKEN' } }, new FakeClock(), env);
  const signal = new AbortController().signal;
  await sink.write(page('audit', 0, 5), signal);
  const err = await sink.flush(signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isHelError(err) && err.code === 'HEL_OUTPUT', String(err));
  assert.match(err.message, /HTTP 401/);
  assert.match(err.context.hint ?? '', /global\.output\.http\.auth/);
  await sink.close();
  assert.doesNotMatch(JSON.stringify({ message: err.message, context: err.context }) + logs(), /s3cr3t/);
  assert.equal(r.lines.length, 0);
});

test('close() delivers what was written without a flush; it gives up on a receiver that stays down after timeout_secs', async (t) => {
  const r = await receiver(t);
  const open = openSink(r.url, {}, new FakeClock()).sink;
  await open.write(page('audit', 0, 5), new AbortController().signal);
  await open.close();
  assert.equal(r.lines.length, 5);

  await r.stop();
  const { sink } = openSink(r.url, { timeout_secs: 0.3, max_backoff_secs: 0.1, initial_backoff_secs: 0.05 }, new FakeClock());
  await sink.write(page('audit', 0, 5), new AbortController().signal);
  const started = Date.now();
  await sink.close();
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 3000, `close took ${took} ms`);
  assert.equal(sink.healthy(), false);
});
