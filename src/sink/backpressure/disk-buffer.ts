import { describeError, errorLogFields } from '../../errors/format.js';
import type { BatchSink, SinkBatch } from '../batch-sink.js';
import { Redelivery, Serial, type RedeliveryDeps } from './redeliver.js';
import type { Spool } from './spool.js';

/** Spool records (batches) sent to the sink per delivery: also the most a crash can send twice. */
const DRAIN_RECORDS = 64;
/** How often a writer waiting for spool space, or close waiting for the drain, looks again. */
const RECHECK_MS = 100;

export interface DiskBufferOptions extends RedeliveryDeps {
  /** disk_buffer.max_size_mb in bytes: a full spool blocks writers until it drains. */
  maxBytes: number;
}

/**
 * `strategy: disk_buffer`. A flush fsyncs the batches into the spool and returns: the events
 * count as delivered and their cursors move. A drainer sends the spool to the sink in order,
 * retrying with backoff while the receiver is down, and records the drained position after each
 * acknowledged chunk, so a restart (kill -9 included) resumes where it stopped: nothing is lost,
 * and at most one chunk (DRAIN_RECORDS batches) is sent twice — which a sink that deduplicates by
 * event id (JetStream's Nats-Msg-Id) drops. A full spool blocks the sources, as `block` does.
 */
export class DiskBufferSink implements BatchSink {
  readonly description: string;
  private readonly serial = new Serial();
  private readonly redelivery: Redelivery;
  private readonly stop = new AbortController();
  private readonly draining: Promise<void>;
  private wake: (() => void) | undefined;
  private fatal: Error | undefined;

  constructor(
    private readonly inner: BatchSink,
    private readonly spool: Spool,
    private readonly options: DiskBufferOptions,
  ) {
    this.description = `${inner.description} through the disk buffer`;
    this.redelivery = new Redelivery(inner, options);
    this.options.events?.emit('output.spool', { bytes: spool.bytes });
    this.draining = this.drain();
  }

  write(batch: SinkBatch, signal: AbortSignal): Promise<void> {
    return this.serial.run(async () => {
      this.throwIfFailed();
      while (this.spool.bytes >= this.options.maxBytes) {
        await this.options.clock.sleep(RECHECK_MS, signal);
        this.throwIfFailed();
      }
      this.spooling(() => this.spool.append(batch));
    });
  }

  flush(): Promise<void> {
    return this.serial.run(() => {
      this.throwIfFailed();
      this.spooling(() => this.spool.sync());
      this.options.events?.emit('output.spool', { bytes: this.spool.bytes });
      this.wake?.();
      return Promise.resolve();
    });
  }

  /** Drains what it can while the receiver answers; what is left stays in the spool for the next start. */
  async close(): Promise<void> {
    await this.serial.run(() => {
      // After a failure the records not fsynced were never acknowledged: their sources fetch them again.
      if (this.fatal === undefined) this.spool.sync();
      this.wake?.();
      return Promise.resolve();
    });
    // While the receiver answers; a sink that retries by itself and stalls counts as not answering.
    while (this.spool.bytes > 0 && this.healthy()) await this.options.clock.sleep(RECHECK_MS);
    this.stop.abort();
    this.wake?.();
    await this.draining;
    if (this.spool.bytes > 0) this.options.logger?.warn({ spool_bytes: this.spool.bytes }, `${this.spool.bytes} bytes of events stay in the disk buffer; they are delivered after the next start`);
    this.spool.close();
    await this.inner.close();
  }

  healthy(): boolean {
    return !this.redelivery.failing && this.fatal === undefined && this.inner.healthy();
  }

  problem(): string | undefined {
    const problem = this.fatal ? describeError(this.fatal) : (this.redelivery.problem ?? this.inner.problem?.());
    return problem === undefined ? undefined : `${problem}; ${this.spool.bytes} bytes wait in the disk buffer`;
  }

  private throwIfFailed(): void {
    if (this.fatal !== undefined) throw this.fatal;
  }

  /**
   * A failed append or fsync cut the records not yet fsynced off the spool, other sources' among
   * them: their flushes must fail too rather than commit pages the spool no longer holds.
   */
  private spooling(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.fatal = err instanceof Error ? err : new Error(String(err));
      throw err;
    }
  }

  private async drain(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      const { records, segment } = this.spool.read(DRAIN_RECORDS);
      if (records.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        await this.redelivery.deliver(
          records.map((r) => r.batch),
          signal,
        );
      } catch (err) {
        if (!signal.aborted) {
          this.fatal = err instanceof Error ? err : new Error(String(err));
          this.options.logger?.error(errorLogFields(err), `the disk buffer cannot deliver to ${this.inner.description}: ${describeError(err)}`);
        }
        return;
      }
      this.spool.drained(segment, records[records.length - 1]!.end);
      this.options.events?.emit('output.spool', { bytes: this.spool.bytes });
    }
  }
}
