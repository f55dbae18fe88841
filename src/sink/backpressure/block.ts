import type { BatchSink, SinkBatch } from '../batch-sink.js';
import type { QueueLimits } from './queue-limits.js';
import { copyBatch, Redelivery, Serial, type RedeliveryDeps } from './redeliver.js';

/**
 * `strategy: block` (the default). Batches go straight to the sink; a copy of each is kept until
 * a flush covering it is acknowledged. When the receiver fails, flush retries with backoff and
 * sends the kept batches again, and does not return until they are acknowledged: the sources wait
 * on it (their cursors stay put) and carry on by themselves once the receiver is back. Writes
 * beyond the detection limits flush first, so the copies stay bounded.
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
    return this.serial.run(async () => {
      const copy = copyBatch(batch, this.spare);
      if (copy.bytes.buffer === this.spare) this.spare = undefined;
      this.kept.push(copy);
      this.keptEvents += copy.lineEnds.length;
      this.keptBytes += copy.bytes.byteLength;
      if (!this.resend) {
        try {
          await this.inner.write(copy, signal);
        } catch (err) {
          this.resend = true;
          await this.redelivery.failed(err, signal);
        }
      }
      if (this.limits.exceeded(this.keptEvents, this.keptBytes) !== undefined) await this.acknowledge(signal);
    });
  }

  flush(signal: AbortSignal): Promise<void> {
    return this.serial.run(() => this.acknowledge(signal));
  }

  close(): Promise<void> {
    return this.serial.run(() => this.inner.close());
  }

  healthy(): boolean {
    return !this.redelivery.failing && this.inner.healthy();
  }

  problem(): string | undefined {
    return this.redelivery.problem ?? this.inner.problem?.();
  }

  private async acknowledge(signal: AbortSignal): Promise<void> {
    if (this.resend) {
      await this.redelivery.deliver(this.kept, signal);
    } else {
      try {
        await this.inner.flush(signal);
        this.redelivery.succeeded();
      } catch (err) {
        this.resend = true;
        await this.redelivery.failed(err, signal);
        await this.redelivery.deliver(this.kept, signal);
      }
    }
    this.resend = false;
    for (const copy of this.kept) {
      const buffer = copy.bytes.buffer as ArrayBuffer;
      if (buffer.byteLength > (this.spare?.byteLength ?? 0)) this.spare = buffer;
    }
    this.kept = [];
    this.keptEvents = 0;
    this.keptBytes = 0;
  }
}
