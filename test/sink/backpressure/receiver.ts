import assert from 'node:assert/strict';
import { HelError } from '../../../src/errors.js';
import type { BatchSink, SinkBatch } from '../../../src/sink/batch-sink.js';

/**
 * A receiver behind the backpressure strategies. While `down` it refuses (retryably) and loses what
 * it had not acknowledged; while `broken` it refuses for good (HEL_OUTPUT, like a full disk) and keeps
 * the rest. It notes every buffer and every event it was handed, re-sends included.
 */
export class Receiver implements BatchSink {
  readonly description = 'test receiver';
  down = false;
  broken = false;
  delivered: string[] = [];
  /** Every event ever handed to write, re-sends included. */
  handed: string[] = [];
  /** The buffer behind every batch handed to write. */
  buffers: ArrayBufferLike[] = [];
  private unacked: string[] = [];

  write(batch: SinkBatch): Promise<void> {
    this.buffers.push(batch.bytes.buffer);
    if (this.broken) return Promise.reject(new HelError('HEL_OUTPUT', 'disk full'));
    if (this.down) return this.refuse();
    for (const line of Buffer.from(batch.bytes).toString().split('\n').filter(Boolean)) this.unacked.push((JSON.parse(line) as { uuid: string }).uuid);
    this.handed.push(...this.unacked.slice(-batch.lineEnds.length));
    return Promise.resolve();
  }

  flush(): Promise<void> {
    if (this.broken) return Promise.reject(new HelError('HEL_OUTPUT', 'fsync failed'));
    if (this.down) return this.refuse();
    this.delivered.push(...this.unacked);
    this.unacked = [];
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  healthy(): boolean {
    return !this.down;
  }

  private refuse(): Promise<void> {
    this.unacked = [];
    return Promise.reject(new HelError('HEL_OUTPUT_UNAVAILABLE', 'receiver down'));
  }
}

export const signal = new AbortController().signal;

export const ids = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `ev-${from + i}`);

/** Lets the event loop turn until `condition` holds (a strategy's retries run on timers the fake clock releases). */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), 'condition never held');
}
