import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SinkBatch } from '../../../src/sink/batch-sink.js';
import { backpressureSchema } from '../../../src/config/backpressure-schema.js';
import { withBackpressure } from '../../../src/sink/backpressure/index.js';
import { FakeClock } from '../../helpers/clock.js';
import { eventBatch } from '../../helpers/sink-batches.js';
import { ids, Receiver, signal, until } from './receiver.js';

/** Like the engine: every page is encoded into the same buffer, which is overwritten once write resolves. */
const page = Buffer.alloc(4096);
function onPage(first: number, count: number): SinkBatch {
  const batch = eventBatch('s', first, count);
  page.fill(0x20);
  page.set(batch.bytes);
  return { ...batch, bytes: page.subarray(0, batch.bytes.byteLength) };
}

test('block: the buffer of an acknowledged copy is reused, never one still kept for a re-send', async () => {
  const receiver = new Receiver();
  const clock = new FakeClock(Date.UTC(2026, 0, 1), { holdSleeps: true });
  const sink = withBackpressure(receiver, backpressureSchema.parse({}), { clock, random: () => 0.5 });

  await sink.write(onPage(0, 3), signal);
  await sink.write(onPage(3, 7), signal);
  await sink.flush(signal);
  const acknowledged = new Set(receiver.buffers);

  // The next copy (smaller than the largest acknowledged one) goes into its buffer; the one after it cannot share that buffer.
  await sink.write(onPage(10, 5), signal);
  await sink.write(onPage(15, 4), signal);
  assert.ok(acknowledged.has(receiver.buffers[2]!), 'the first copy after the flush reuses an acknowledged buffer');
  assert.notEqual(receiver.buffers[3], receiver.buffers[2]);

  // The receiver loses both pages: the re-send must carry each page's own events, once.
  receiver.down = true;
  const flushed = sink.flush(signal);
  await until(() => clock.pending.size === 1);
  receiver.down = false;
  for (const sleep of clock.pending) sleep.release();
  await flushed;
  assert.deepEqual(receiver.delivered, ids(0, 19));

  await sink.write(onPage(19, 6), signal);
  await sink.flush(signal);
  assert.deepEqual(receiver.delivered, ids(0, 25));
});
