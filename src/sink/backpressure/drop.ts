import { cancelled } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import type { BatchSink, SinkBatch } from '../batch-sink.js';
import { copyBytes } from '../copy-bytes.js';
import type { BackpressureConfig } from '../../config/backpressure-schema.js';
import type { Emitter } from '../../bus/event-bus.js';
import type { OutputEventMap } from '../output-events.js';
import type { QueueLimits } from './queue-limits.js';
import { Redelivery, type RedeliveryDeps } from './redeliver.js';

interface Queued {
  seq: number;
  source: string;
  /** One NDJSON line, newline included, copied. */
  line: Uint8Array;
  id: string | undefined;
  time: number | undefined;
  at: number;
  inFlight: boolean;
}

type DropPolicy = NonNullable<BackpressureConfig['drop_policy']>;

/** Events sent to the sink per delivery attempt. */
const CHUNK_EVENTS = 1000;
/** How often a waiting flush re-checks whether the receiver is down. */
const RECHECK_MS = 100;

export interface DroppingSinkOptions extends RedeliveryDeps {
  limits: QueueLimits;
  policy: DropPolicy;
  maxQueueAgeMs: number | undefined;
  /** A delivery attempt older than this means the receiver is down (detection.stall_secs). */
  stallMs: number;
  logger?: Logger;
  events?: Emitter<OutputEventMap>;
  random?: () => number;
}

/**
 * `strategy: drop` (only when asked for). Events wait in a bounded in-memory queue while a pump
 * delivers them in order, retrying with backoff. A flush waits for the delivery of everything
 * written before it — unless the receiver is down (its last attempt failed, or the one in
 * progress is stalled): then the flush returns and the events stay queued, so collection goes on
 * and their cursors move. When the queue is over the detection limits, events are dropped by
 * `drop_policy`; with `max_queue_age_secs`, queued events older than that are dropped. Every
 * dropped event is counted (hel_events_dropped_total) and logged. Events in the queue are lost on a
 * crash: this strategy trades the no-loss promise for never pausing.
 */
export class DroppingSink implements BatchSink {
  readonly description: string;
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private seq = 0;
  private attemptStarted: number | undefined;
  private fatal: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly stop = new AbortController();
  private readonly redelivery: Redelivery;
  private readonly pumping: Promise<void>;

  constructor(
    private readonly inner: BatchSink,
    private readonly options: DroppingSinkOptions,
  ) {
    this.description = inner.description;
    this.redelivery = new Redelivery(inner, options);
    this.pumping = this.pump();
  }

  write(batch: SinkBatch, signal: AbortSignal): Promise<void> {
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    // Refused, not skipped: a flush that followed a skipped write would let its page be committed undelivered.
    if (signal.aborted) return Promise.reject(cancelled(batch.source));
    const now = this.options.clock.now();
    let start = 0;
    for (let i = 0; i < batch.lineEnds.length; i++) {
      const end = batch.lineEnds[i]!;
      const line = copyBytes(batch.bytes, start, end);
      start = end;
      this.queue.push({ seq: ++this.seq, source: batch.source, line, id: batch.ids[i], time: batch.times[i], at: now, inFlight: false });
      this.queuedBytes += line.byteLength;
    }
    this.enforceLimits();
    this.wake?.();
    return Promise.resolve();
  }

  async flush(signal: AbortSignal): Promise<void> {
    const target = this.seq;
    for (;;) {
      if (this.fatal !== undefined) throw this.fatal;
      const head = this.queue[0];
      if (head === undefined || head.seq > target || this.receiverDown()) return;
      await this.options.clock.sleep(RECHECK_MS, signal);
    }
  }

  async close(): Promise<void> {
    // Give what is queued its chance while the receiver answers, then stop.
    while (this.queue.length > 0 && this.healthy() && this.fatal === undefined) await this.options.clock.sleep(RECHECK_MS);
    this.stop.abort();
    this.wake?.();
    await this.pumping;
    const left = this.queue.filter((e) => !e.inFlight);
    if (left.length > 0) this.dropped(left, 'shutdown');
    await this.inner.close();
  }

  healthy(): boolean {
    return !this.receiverDown() && this.inner.healthy();
  }

  problem(): string | undefined {
    const problem = this.redelivery.problem ?? this.inner.problem?.();
    return problem === undefined ? undefined : `${problem}; ${this.queue.length} events queued (strategy drop)`;
  }

  private receiverDown(): boolean {
    if (this.redelivery.failing) return true;
    return this.attemptStarted !== undefined && this.options.clock.now() - this.attemptStarted > this.options.stallMs;
  }

  private enforceLimits(): void {
    const victims: Queued[] = [];
    while (this.options.limits.exceeded(this.queue.length, this.queuedBytes) !== undefined) {
      const index = this.victimIndex();
      if (index < 0) break;
      victims.push(this.remove(index));
    }
    if (victims.length > 0) this.dropped(victims, 'backpressure');
  }

  private victimIndex(): number {
    switch (this.options.policy) {
      case 'oldest_first':
        return this.queue.findIndex((e) => !e.inFlight);
      case 'newest_first':
        return this.queue.findLastIndex((e) => !e.inFlight);
      case 'random': {
        const free = this.queue.flatMap((e, i) => (e.inFlight ? [] : [i]));
        return free.length === 0 ? -1 : free[Math.floor((this.options.random ?? Math.random)() * free.length)]!;
      }
    }
  }

  private remove(index: number): Queued {
    const [entry] = this.queue.splice(index, 1);
    this.queuedBytes -= entry!.line.byteLength;
    return entry!;
  }

  private expire(): void {
    if (this.options.maxQueueAgeMs === undefined) return;
    const oldest = this.options.clock.now() - this.options.maxQueueAgeMs;
    const expired = this.queue.filter((e) => !e.inFlight && e.at < oldest);
    if (expired.length === 0) return;
    const gone = new Set(expired);
    this.queue = this.queue.filter((e) => !gone.has(e));
    for (const e of expired) this.queuedBytes -= e.line.byteLength;
    this.dropped(expired, 'max_queue_age');
  }

  private dropped(entries: Queued[], reason: 'backpressure' | 'max_queue_age' | 'shutdown'): void {
    const bySource = new Map<string, number>();
    for (const e of entries) bySource.set(e.source, (bySource.get(e.source) ?? 0) + 1);
    for (const [source, events] of bySource) {
      this.options.events?.emit('output.dropped', { source, events, reason });
      this.options.logger?.warn({ source, dropped: events, reason, queued: this.queue.length }, `dropped ${events} event${events === 1 ? '' : 's'} of ${source} (${reason}, strategy drop)`);
    }
  }

  private async pump(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      this.expire();
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const chunk = this.queue.slice(0, CHUNK_EVENTS);
      for (const e of chunk) e.inFlight = true;
      this.attemptStarted = this.options.clock.now();
      try {
        for (const batch of toBatches(chunk)) await this.inner.write(batch, signal);
        await this.inner.flush(signal);
        this.redelivery.succeeded();
        const sent = new Set(chunk);
        this.queue = this.queue.filter((e) => !sent.has(e));
        for (const e of chunk) this.queuedBytes -= e.line.byteLength;
      } catch (err) {
        for (const e of chunk) e.inFlight = false;
        this.attemptStarted = undefined;
        try {
          await this.redelivery.failed(err, signal);
        } catch (final) {
          if (!signal.aborted) this.fatal = final instanceof Error ? final : new Error(String(final));
          return;
        }
      } finally {
        this.attemptStarted = undefined;
      }
    }
  }
}

/** Consecutive events of one source become one batch, in queue order. */
function toBatches(entries: readonly Queued[]): SinkBatch[] {
  const batches: SinkBatch[] = [];
  let i = 0;
  while (i < entries.length) {
    const source = entries[i]!.source;
    let j = i;
    while (j < entries.length && entries[j]!.source === source) j++;
    const run = entries.slice(i, j);
    const bytes = Buffer.concat(run.map((e) => e.line));
    const lineEnds: number[] = [];
    let end = 0;
    for (const e of run) lineEnds.push((end += e.line.byteLength));
    batches.push({ source, bytes, lineEnds, ids: run.map((e) => e.id), times: run.map((e) => e.time) });
    i = j;
  }
  return batches;
}
