import type { Clock } from '../../clock.js';
import { HelError, cancelled, isCancellation, isHelError } from '../../errors.js';
import type { BatchSink, SinkBatch } from '../batch-sink.js';
import { Batcher, type BatchLimits } from './batcher.js';
import { deliver, type DeliveryOptions, type DeliveryStats } from './delivery.js';
import type { HecAckPoller } from './hec-ack.js';
import { linesOf, type OutLine } from './lines.js';
import type { ReceiverHealth } from './receiver-health.js';

export interface HttpSinkOptions {
  description: string;
  limits: BatchLimits;
  /** Batches being delivered at once (max_in_flight); a write waits for a free one. */
  maxInFlight: number;
  delivery: Omit<DeliveryOptions, 'stats'>;
  health: ReceiverHealth;
  acks?: HecAckPoller;
  clock: Clock;
  /** How long `close` tries to deliver what is left before it gives up on it (it was never acknowledged). */
  closeTimeoutMs: number;
}

/**
 * The HTTP sink behind BatchSink. Lines are gathered into batches (batch_size, max_batch_bytes,
 * batch_timeout_ms) and delivered by up to max_in_flight concurrent requests. `flush` sends the
 * open batch and resolves once every batch written before it is acknowledged; while the receiver
 * is down it keeps waiting, so the sources pause and no cursor passes undelivered events.
 * A line the receiver refuses for good fails the sink (HEL_OUTPUT) and stops the collector; the
 * deliveries still in progress are given up, as their pages are not committed.
 */
export class HttpSink implements BatchSink {
  readonly description: string;
  readonly stats: DeliveryStats = { requests: 0, delivered: 0, duplicates: 0, retries: 0 };
  private readonly batcher: Batcher;
  private readonly pending = new Set<Promise<void>>();
  private readonly lifetime = new AbortController();
  private readonly slotWaiters: (() => void)[] = [];
  private freeSlots: number;
  private failure: HelError | undefined;
  private closed = false;

  constructor(private readonly options: HttpSinkOptions) {
    this.description = options.description;
    this.freeSlots = options.maxInFlight;
    this.batcher = new Batcher(options.limits, options.clock, (lines) => void this.dispatch(lines));
  }

  async write(batch: SinkBatch, signal: AbortSignal): Promise<void> {
    this.check();
    if (batch.lineEnds.length === 0) return;
    for (const lines of this.batcher.add(linesOf(batch))) await untilAborted(this.dispatch(lines), signal);
  }

  async flush(signal: AbortSignal): Promise<void> {
    this.check();
    await this.settle(signal);
  }

  /** Sends the open batch and waits for every delivery started so far. */
  private async settle(signal: AbortSignal): Promise<void> {
    const open = this.batcher.take();
    if (open.length > 0) void this.dispatch(open);
    const results = await untilAborted(Promise.allSettled([...this.pending]), signal);
    if (this.failure) throw this.failure;
    if (results.some((r) => r.status === 'rejected')) throw cancelled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.failure === undefined) await this.settle(AbortSignal.timeout(this.options.closeTimeoutMs));
    } catch {
      // Not acknowledged means not committed: the next run fetches these events again.
    }
    this.batcher.stop();
    this.lifetime.abort();
    await Promise.allSettled([...this.pending]);
    this.options.acks?.close();
    const { delivered, duplicates, retries, requests } = this.stats;
    this.options.delivery.log.info(
      { delivered, duplicates, retries, requests },
      `output: ${delivered} events delivered, ${duplicates} already stored at the receiver (duplicates, not errors), ${retries} retries`,
    );
  }

  healthy(): boolean {
    return this.failure === undefined && !this.closed && this.options.health.healthy;
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new HelError('HEL_OUTPUT', `${this.description} is closed`);
  }

  /** Starts delivering `lines` once a slot is free; resolves when it has one (the delivery goes on). */
  private dispatch(lines: OutLine[]): Promise<void> {
    const slot = this.takeSlot();
    let held = true;
    // A batch waiting only for Splunk's indexer acknowledgment holds no connection: it frees its slot.
    const release = (): void => {
      if (held) this.releaseSlot();
      held = false;
    };
    const delivery = slot
      .then(() => deliver(lines, { ...this.options.delivery, stats: this.stats, onReceived: release }, this.lifetime.signal))
      .catch((err: unknown) => {
        if (!isCancellation(err) && this.failure === undefined) {
          this.failure = isHelError(err) ? err : new HelError('HEL_OUTPUT', `${this.description}: ${(err as Error).message}`, {}, { cause: err });
          // The other batches' flushes fail with it and their sources fetch them again: still
          // retrying them could deliver them as well.
          this.lifetime.abort();
        }
        throw err;
      })
      .finally(() => {
        this.pending.delete(delivery);
        release();
      });
    delivery.catch(() => undefined);
    this.pending.add(delivery);
    return slot;
  }

  private takeSlot(): Promise<void> {
    if (this.freeSlots > 0) {
      this.freeSlots--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.freeSlots++;
  }
}

/** The promise, or HEL_CANCELLED as soon as `signal` aborts (the work itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}
