import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../../../src/clock.js';
import { cancelled } from '../../../src/errors.js';
import { waitFor } from '../../helpers/hel-process.js';
import { NdjsonReceiver } from '../../helpers/http-receivers/ndjson-receiver.js';
import { openSink, page, stillPending } from './harness.js';

/** A clock whose sleeps end only when the test moves time past them. */
class ManualClock implements Clock {
  private time = 0;
  private readonly timers: { at: number; resolve: () => void }[] = [];
  now(): number {
    return this.time;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = { at: this.time + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers.splice(this.timers.indexOf(timer), 1);
        reject(cancelled());
      });
    });
  }
  advance(ms: number): void {
    this.time += ms;
    for (const timer of this.timers.filter((x) => x.at <= this.time)) {
      this.timers.splice(this.timers.indexOf(timer), 1);
      timer.resolve();
    }
  }
}

test('batch_size splits a page into requests; batch_timeout_ms sends a partial batch that no flush follows', async (t) => {
  const r = await new NdjsonReceiver().start();
  t.after(() => r.stop());
  const clock = new ManualClock();
  const { sink } = openSink(r.url, { batch_size: 100, batch_timeout_ms: 500 }, clock);
  t.after(() => sink.close());
  const signal = new AbortController().signal;
  // 250 lines: two full batches go at once, the last 50 wait for a flush or the timeout.
  await sink.write(page('audit', 0, 250), signal);
  await waitFor(() => r.lines.length === 200, 5000, 'the two full batches');
  assert.equal(r.requests, 2);
  clock.advance(499);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(r.lines.length, 200, 'the partial batch waits for batch_timeout_ms');
  clock.advance(1);
  await waitFor(() => r.lines.length === 250, 5000, 'the partial batch after its timeout');
  assert.equal(r.requests, 3);

  // A flush sends the partial batch at once.
  await sink.write(page('audit', 250, 10), signal);
  await sink.flush(signal);
  assert.equal(r.lines.length, 260);
  assert.equal(r.requests, 4);
});

test('max_batch_bytes caps a request; max_in_flight bounds what is held: a write waits while every slot is busy', async (t) => {
  const r = await new NdjsonReceiver().start();
  t.after(() => r.stop());
  // A request over max_batch_bytes would be refused with 413 (and split, which would add requests).
  r.maxBodyBytes = 4096;
  const clock = new ManualClock();
  const { sink } = openSink(r.url, { batch_size: 1000, max_batch_bytes: 4096, max_in_flight: 2 }, clock);
  t.after(() => sink.close());
  const signal = new AbortController().signal;
  const perBatch = Math.floor(4096 / page('audit', 0, 1).bytes.length);
  // With the receiver down, two full batches take both slots and wait for their retry.
  await r.stop();
  await sink.write(page('audit', 0, perBatch * 2), signal);
  const third = sink.write(page('audit', perBatch * 2, perBatch + 1), signal);
  assert.equal(await stillPending(third, 100), true, 'the write waits for a free slot');
  await r.start();
  // On a loaded machine a refused request may not have reached its retry sleep yet: one move of
  // the clock could miss it and leave the write waiting for ever, so time moves on until it is through.
  let through = false;
  void third.then(() => (through = true));
  await waitFor(
    () => {
      clock.advance(60_000);
      return through;
    },
    30_000,
    'the third write after the receiver came back',
  );
  await third;
  await sink.flush(signal);
  assert.equal(r.lines.length, perBatch * 3 + 1);
  assert.equal(r.requests, 4);
});
