import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCancellation, isHelError } from '../../../src/errors.js';
import type { BatchSink } from '../../../src/sink/batch-sink.js';
import { backpressureSchema } from '../../../src/config/backpressure-schema.js';
import { EventBus } from '../../../src/bus/event-bus.js';
import { withBackpressure } from '../../../src/sink/backpressure/index.js';
import type { OutputEventMap } from '../../../src/sink/output-events.js';
import { FakeClock } from '../../helpers/clock.js';
import { eventBatch } from '../../helpers/sink-batches.js';
import { ids, Receiver, signal, until } from './receiver.js';

class Counting {
  readonly events = new EventBus<OutputEventMap>();
  dropped = new Map<string, number>();
  retries = 0;
  constructor() {
    this.events.on('output.dropped', ({ events, reason }) => this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + events));
    this.events.on('output.retry', () => this.retries++);
  }
}

test('block: a flush retries with backoff while the receiver is down and re-sends the kept batches; each event arrives once', async () => {
  const receiver = new Receiver();
  const clock = new FakeClock();
  const observer = new Counting();
  const sink = withBackpressure(receiver, backpressureSchema.parse({}), { clock, events: observer.events, random: () => 0.5 });
  receiver.down = false;
  await sink.write(eventBatch('s', 0, 5), signal);
  receiver.down = true;
  await sink.write(eventBatch('s', 5, 5), signal);
  const flushed = sink.flush(signal);
  await until(() => observer.retries >= 4);
  assert.equal(sink.healthy(), false);
  assert.match(sink.problem?.() ?? '', /delivery to test receiver failing/);
  receiver.down = false;
  await flushed;
  assert.deepEqual(receiver.delivered, ids(0, 10));
  assert.deepEqual(clock.sleeps.slice(0, 4), [1000, 2000, 4000, 8000]);
  assert.equal(sink.healthy(), true);
});

const refusedForGood = (message: string) => (err: unknown) => isHelError(err) && err.code === 'HEL_OUTPUT' && err.message === message;

test('block: a write refused for good fails its poll and the output: the copies are dropped, not re-sent, and every later write and flush rejects', async () => {
  const receiver = new Receiver();
  const sink = withBackpressure(receiver, backpressureSchema.parse({}), { clock: new FakeClock(), random: () => 0.5 });
  await sink.write(eventBatch('a', 0, 5), signal);
  receiver.broken = true;
  await assert.rejects(sink.write(eventBatch('b', 5, 5), signal), refusedForGood('disk full'));
  receiver.broken = false;
  // Source a's flush must not vouch for its page (the sink failed after it), nor re-send b's page, which b fetches again.
  await assert.rejects(sink.flush(signal), refusedForGood('disk full'));
  await assert.rejects(sink.write(eventBatch('a', 10, 5), signal), refusedForGood('disk full'));
  assert.deepEqual(receiver.handed, ids(0, 5), 'nothing handed over twice, nothing after the failure');
  assert.deepEqual(receiver.delivered, []);
  assert.equal(sink.healthy(), false);
  assert.equal(sink.problem?.(), 'delivery to test receiver failed for good: disk full');
});

test('block: a flush refused for good while re-sending after an outage drops the copies; the next flush does not send them again', async () => {
  const receiver = new Receiver();
  const clock = new FakeClock(Date.UTC(2026, 0, 1), { holdSleeps: true });
  const sink = withBackpressure(receiver, backpressureSchema.parse({}), { clock, random: () => 0.5 });
  await sink.write(eventBatch('a', 0, 5), signal);
  receiver.down = true;
  const flushed = sink.flush(signal);
  await until(() => clock.pending.size === 1);
  receiver.down = false;
  receiver.broken = true;
  for (const sleep of clock.pending) sleep.release();
  await assert.rejects(flushed, refusedForGood('disk full'));
  receiver.broken = false;
  await assert.rejects(sink.flush(signal), refusedForGood('disk full'));
  assert.deepEqual(receiver.handed, ids(0, 5), 'the page went once, before the outage');
  assert.deepEqual(receiver.delivered, []);
});

for (const [what, cancel] of [
  ['write', (sink: BatchSink, stopped: AbortSignal) => sink.write(eventBatch('a', 6, 2), stopped)],
  ['flush', (sink: BatchSink, stopped: AbortSignal) => sink.flush(stopped, 'a')],
] as const) {
  test(`block: a cancelled ${what} drops its source's copies (that poll fetches them again); the other sources' copies are re-sent and the output goes on`, async () => {
    const receiver = new Receiver();
    const sink = withBackpressure(receiver, backpressureSchema.parse({}), { clock: new FakeClock(), random: () => 0.5 });
    await sink.write(eventBatch('a', 0, 3), signal);
    await sink.write(eventBatch('b', 3, 3), signal);
    receiver.down = true;
    const stopped = new AbortController();
    stopped.abort();
    await assert.rejects(cancel(sink, stopped.signal), (err: unknown) => isCancellation(err));
    receiver.down = false;
    await sink.flush(signal, 'b');
    assert.deepEqual(receiver.delivered, ids(3, 6), "only b's page: the receiver lost a's, and a's poll fetches it again");
    await sink.write(eventBatch('a', 0, 3), signal);
    await sink.flush(signal, 'a');
    assert.deepEqual(receiver.delivered, [...ids(3, 6), ...ids(0, 3)]);
    assert.equal(sink.healthy(), true);
  });
}

test('enabled: false: a failed delivery is not retried, the flush rejects', async () => {
  const receiver = new Receiver();
  const sink = withBackpressure(receiver, backpressureSchema.parse({ enabled: false }), { clock: new FakeClock() });
  receiver.down = true;
  await assert.rejects(sink.write(eventBatch('s', 0, 5), signal), (err: unknown) => isHelError(err) && err.code === 'HEL_OUTPUT_UNAVAILABLE');
});

for (const [policy, kept] of [
  ['oldest_first', ids(15, 30)],
  ['newest_first', ids(0, 15)],
] as const) {
  test(`drop ${policy}: over the queue limit while the receiver is down, which events go and which arrive`, async () => {
    const receiver = new Receiver();
    receiver.down = true;
    const observer = new Counting();
    const clock = new FakeClock();
    const sink = withBackpressure(receiver, backpressureSchema.parse({ strategy: 'drop', drop_policy: policy, detection: { event_queue_size: 15, stdout_buffer_size: 0 } }), {
      clock,
      events: observer.events,
    });
    await Promise.all([sink.write(eventBatch('s', 0, 10), signal), sink.write(eventBatch('s', 10, 10), signal), sink.write(eventBatch('s', 20, 10), signal)]);
    await sink.flush(signal); // returns: the receiver is down
    assert.equal(observer.dropped.get('backpressure'), 15);
    receiver.down = false;
    await until(() => receiver.delivered.length === 15);
    assert.deepEqual(receiver.delivered, kept);
    await sink.close();
  });
}

test('drop random: as many dropped as over the limit, the rest arrive', async () => {
  const receiver = new Receiver();
  receiver.down = true;
  const observer = new Counting();
  const sink = withBackpressure(receiver, backpressureSchema.parse({ strategy: 'drop', drop_policy: 'random', detection: { event_queue_size: 15, stdout_buffer_size: 0 } }), {
    clock: new FakeClock(),
    events: observer.events,
    random: () => 0.3,
  });
  await Promise.all([sink.write(eventBatch('s', 0, 10), signal), sink.write(eventBatch('s', 10, 10), signal), sink.write(eventBatch('s', 20, 10), signal)]);
  assert.equal(observer.dropped.get('backpressure'), 15);
  receiver.down = false;
  await until(() => receiver.delivered.length === 15);
  assert.equal(new Set(receiver.delivered).size, 15);
  await sink.close();
});

test('drop max_queue_age_secs: queued events older than that are dropped and counted; newer ones arrive', async () => {
  const receiver = new Receiver();
  receiver.down = true;
  const observer = new Counting();
  const clock = new FakeClock();
  const sink = withBackpressure(receiver, backpressureSchema.parse({ strategy: 'drop', max_queue_age_secs: 60 }), { clock, events: observer.events });
  await sink.write(eventBatch('s', 0, 10), signal);
  // The pump's backoff sleeps move the fake clock on: after a minute the 10 events expire.
  await until(() => observer.dropped.get('max_queue_age') === 10);
  receiver.down = false;
  await sink.write(eventBatch('s', 10, 5), signal);
  await until(() => receiver.delivered.length === 5);
  assert.deepEqual(receiver.delivered, ids(10, 15));
  await sink.close();
});

test('drop: a write after its poll was stopped is refused, so the flush after it cannot let that page be committed undelivered', async () => {
  const receiver = new Receiver();
  const sink = withBackpressure(receiver, backpressureSchema.parse({ strategy: 'drop' }), { clock: new FakeClock() });
  const stopped = new AbortController();
  stopped.abort();
  const written = sink.write(eventBatch('s', 0, 5), stopped.signal);
  const flushed = written.then(() => sink.flush(stopped.signal));
  await assert.rejects(flushed, (err: unknown) => isCancellation(err));
  await sink.write(eventBatch('s', 5, 5), signal);
  await sink.flush(signal);
  assert.deepEqual(receiver.delivered, ids(5, 10), 'the refused page is fetched again by its source, not delivered');
  await sink.close();
});
