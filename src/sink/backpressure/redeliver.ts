import type { Clock } from '../../clock.js';
import type { RetriesConfig } from '../../config/schema.js';
import { isCancellation, isHelError } from '../../errors.js';
import { describeError, errorLogFields } from '../../errors/format.js';
import type { Logger } from '../../log/logger.js';
import { backoffDelayMs, type Random } from '../../resilience/backoff.js';
import type { BatchSink, SinkBatch } from '../batch-sink.js';
import { copyBytes } from '../copy-bytes.js';
import type { Emitter } from '../../bus/event-bus.js';
import type { OutputEventMap } from '../output-events.js';

/** Waits between delivery attempts while a receiver is down: 1 s doubling to 30 s, ±20 %. */
const REDELIVERY_BACKOFF: RetriesConfig = { max_attempts: Infinity, initial_backoff_secs: 1, max_backoff_secs: 30, multiplier: 2, jitter: 0.2 };

/** A failure worth retrying: the receiver is unreachable or did not acknowledge in time. */
function isRetryableOutputError(err: unknown): boolean {
  return isHelError(err) && err.code === 'HEL_OUTPUT_UNAVAILABLE';
}

export interface RedeliveryDeps {
  clock: Clock;
  logger?: Logger;
  events?: Emitter<OutputEventMap>;
  random?: Random;
}

/**
 * Tracks the failing delivery attempts of one output: backoff, the warning per retry, the
 * recovery line and the reason /readyz shows meanwhile.
 */
export class Redelivery {
  private failures = 0;
  private reason: string | undefined;

  constructor(
    private readonly inner: BatchSink,
    private readonly deps: RedeliveryDeps,
  ) {}

  /** Why deliveries are failing right now, or undefined. */
  get problem(): string | undefined {
    return this.reason;
  }

  get failing(): boolean {
    return this.failures > 0;
  }

  succeeded(): void {
    if (this.failures === 0) return;
    this.deps.logger?.warn({ attempts: this.failures + 1 }, `output recovered: ${this.inner.description} acknowledged again after ${this.failures} failed attempt${this.failures === 1 ? '' : 's'}`);
    this.failures = 0;
    this.reason = undefined;
  }

  /** Records a failed attempt and waits before the next one; rethrows what must not be retried. */
  async failed(err: unknown, signal: AbortSignal): Promise<void> {
    if (isCancellation(err) || !isRetryableOutputError(err)) throw err;
    this.failures++;
    const waitMs = backoffDelayMs(this.failures, REDELIVERY_BACKOFF, this.deps.random);
    this.reason = `delivery to ${this.inner.description} failing (${this.failures} attempt${this.failures === 1 ? '' : 's'}): ${describeError(err)}`;
    this.deps.logger?.warn({ ...errorLogFields(err), attempt: this.failures, wait_ms: waitMs }, `${this.reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`);
    this.deps.events?.emit('output.retry', {});
    await this.deps.clock.sleep(waitMs, signal);
  }

  /** Writes `batches` and flushes until the receiver acknowledges them all, retrying with backoff. */
  async deliver(batches: readonly SinkBatch[], signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        for (const batch of batches) await this.inner.write(batch, signal);
        await this.inner.flush(signal);
        this.succeeded();
        return;
      } catch (err) {
        await this.failed(err, signal);
      }
    }
  }
}

/**
 * A copy of `batch` the caller may keep: SinkBatch bytes are reused once write resolves. The bytes
 * go into `spare` when it is large enough (a buffer of an acknowledged copy the caller recycles).
 */
export function copyBatch(batch: SinkBatch, spare?: ArrayBuffer): SinkBatch {
  const size = batch.bytes.byteLength;
  let bytes: Uint8Array;
  if (spare !== undefined && spare.byteLength >= size) {
    bytes = new Uint8Array(spare, 0, size);
    bytes.set(batch.bytes);
  } else {
    bytes = copyBytes(batch.bytes);
  }
  return { source: batch.source, bytes, lineEnds: [...batch.lineEnds], ids: [...batch.ids], times: [...batch.times] };
}

/** Runs tasks one at a time, in call order. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
