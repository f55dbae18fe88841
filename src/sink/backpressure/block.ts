import { isCancellation } from '../../errors.js';
import { describeError } from '../../errors/format.js';
import type { BatchSink, SinkBatch } from '../batch-sink.js';
import type { QueueLimits } from './queue-limits.js';
import { copyBatch, Redelivery, Serial, type RedeliveryDeps } from './redeliver.js';

/**
 * `strategy: block` (the default). Batches go straight to the sink; a copy of each is kept until
 * a flush covering it is acknowledged. When the receiver fails, flush retries with backoff and
 * sends the kept batches again, and does not return until they are acknowledged: the sources wait
 * on it (their cursors stay put) and carry on by themselves once the receiver is back. Writes
 * beyond the detection limits flush first, so the copies stay bounded.
 *
 * A failure retrying cannot fix (a full disk, a refused message) fails the poll that met it, and
 * the engine fetches that poll's pages again from their committed cursors: so the copies are
 * dropped, never re-sent as well. The output is then failed for good: every later write and flush
 * rejects with the same error, because the sink can no longer vouch for what other sources wrote
 * before it, and none of them may commit a page on its word. A cancelled write drops the copies of
 * its source, whose poll ends and fetches them again too.
 */
export class BlockingSink implements BatchSink {
  readonly description: string;
  private kept: SinkBatch[] = [];
  private keptEvents = 0;
  private keptBytes = 0;
  /**
   * The largest buffer of the copies last acknowledged, for the next copy: a fresh page-sized copy
   * per write cost an mmap, page faults, and external memory that made V8 collect its old
   * generation more often. Only an acknowledged copy is reused: nothing refers to it any more.
   */
  private spare: ArrayBuffer | undefined;
  /** The sink lost what was written since the last acknowledged flush: send the kept batches again. */
  private resend = false;
  /** The failure retrying cannot fix: every later write and flush rejects with it. */
  private fatal: Error | undefined;
  private readonly serial = new Serial();
  private readonly redelivery: Redelivery;

  constructor(
    private readonly inner: BatchSink,
    private readonly limits: QueueLimits,
    deps: RedeliveryDeps,
  ) {
    this.description = inner.description;
    this.redelivery = new Redelivery(inner, deps);
    // The engine asks for the output mark right after a flush: it is the inner sink's, once acknowledged.
    if (inner.position) this.position = (signal) => this.serial.run(() => inner.position!(signal));
    if (inner.readBack) this.readBack = inner.readBack.bind(inner);
  }

  readonly position?: BatchSink['position'];
  readonly readBack?: BatchSink['readBack'];

  write(batch: SinkBatch, signal: AbortSignal): Promise<void> {
    return this.serial.run(() => this.guarded(batch.source, () => this.keepAndWrite(batch, signal)));
  }

  flush(signal: AbortSignal): Promise<void> {
    return this.serial.run(() => this.guarded(undefined, () => this.acknowledge(signal)));
  }

  close(): Promise<void> {
    return this.serial.run(() => this.inner.close());
  }

  healthy(): boolean {
    return this.fatal === undefined && !this.redelivery.failing && this.inner.healthy();
  }

  problem(): string | undefined {
    if (this.fatal !== undefined) return `delivery to ${this.inner.description} failed for good: ${describeError(this.fatal)}`;
    return this.redelivery.problem ?? this.inner.problem?.();
  }

  /**
   * Runs `task` unless the output has failed for good. An error that reaches the caller fails its
   * poll, whose pages are fetched again: their copies must not be re-sent (see the class comment).
   */
  private async guarded(source: string | undefined, task: () => Promise<void>): Promise<void> {
    if (this.fatal !== undefined) throw this.fatal;
    try {
      await task();
    } catch (err) {
      if (!isCancellation(err)) {
        this.fatal = err instanceof Error ? err : new Error(String(err));
        this.drop(() => true);
      } else if (source !== undefined) {
        this.drop((copy) => copy.source === source);
      }
      throw err;
    }
  }

  private async keepAndWrite(batch: SinkBatch, signal: AbortSignal): Promise<void> {
    const copy = copyBatch(batch, this.spare);
    if (copy.bytes.buffer === this.spare) this.spare = undefined;
    this.kept.push(copy);
    this.keptEvents += copy.lineEnds.length;
    this.keptBytes += copy.bytes.byteLength;
    if (!this.resend) {
      try {
        await this.inner.write(copy, signal);
      } catch (err) {
        // A cancelled write lost nothing of the other sources' batches.
        this.resend = !isCancellation(err);
        await this.redelivery.failed(err, signal);
      }
    }
    if (this.limits.exceeded(this.keptEvents, this.keptBytes) !== undefined) await this.acknowledge(signal);
  }

  private async acknowledge(signal: AbortSignal): Promise<void> {
    if (this.resend) {
      await this.redelivery.deliver(this.kept, signal);
    } else {
      try {
        await this.inner.flush(signal);
        this.redelivery.succeeded();
      } catch (err) {
        // A cancelled flush reported no loss: the next one covers the same batches.
        this.resend = !isCancellation(err);
        await this.redelivery.failed(err, signal);
        await this.redelivery.deliver(this.kept, signal);
      }
    }
    this.resend = false;
    for (const copy of this.kept) {
      const buffer = copy.bytes.buffer as ArrayBuffer;
      if (buffer.byteLength > (this.spare?.byteLength ?? 0)) this.spare = buffer;
    }
    this.drop(() => true);
  }

  /** Forgets the copies `which` selects: acknowledged, or fetched again by their sources. */
  private drop(which: (copy: SinkBatch) => boolean): void {
    this.kept = this.kept.filter((copy) => !which(copy));
    this.keptEvents = this.kept.reduce((sum, copy) => sum + copy.lineEnds.length, 0);
    this.keptBytes = this.kept.reduce((sum, copy) => sum + copy.bytes.byteLength, 0);
  }
}
