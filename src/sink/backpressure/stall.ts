import type { Logger } from '../../log/logger.js';
import type { BatchSink, SinkBatch } from '../batch-sink.js';
import type { Emitter } from '../../bus/event-bus.js';
import type { OutputEventMap } from '../output-events.js';

interface Running {
  op: 'write' | 'flush';
  started: number;
  stalled: boolean;
}

/**
 * Times every write and flush of the sink it wraps. One that has not completed after `stallMs`
 * makes the output unhealthy with a reason (/readyz, the status page), sets the stall metric and
 * logs a warning; when every stalled operation has completed, all of that is cleared and logged.
 * The operation itself is never interrupted: a stalled pipe may still drain.
 */
export class StallWatch implements BatchSink {
  readonly description: string;
  private readonly running = new Set<Running>();
  private stalledCount = 0;

  constructor(
    private readonly inner: BatchSink,
    private readonly options: { stallMs: number; logger?: Logger; events?: Emitter<OutputEventMap>; now?: () => number },
  ) {
    this.description = inner.description;
    if (inner.position) this.position = (signal) => this.timed('flush', () => inner.position!(signal));
    if (inner.readBack) this.readBack = inner.readBack.bind(inner);
  }

  readonly position?: BatchSink['position'];
  readonly readBack?: BatchSink['readBack'];

  write(batch: SinkBatch, signal: AbortSignal): Promise<void> {
    return this.timed('write', () => this.inner.write(batch, signal));
  }

  flush(signal: AbortSignal, source?: string): Promise<void> {
    return this.timed('flush', () => this.inner.flush(signal, source));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  healthy(): boolean {
    return this.stalledCount === 0 && this.inner.healthy();
  }

  problem(): string | undefined {
    const oldest = this.oldestStalled();
    if (oldest) return `output stalled: a ${oldest.op} to ${this.description} has not completed for ${Math.round((this.now() - oldest.started) / 1000)} s`;
    return this.inner.problem?.();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private oldestStalled(): Running | undefined {
    let oldest: Running | undefined;
    for (const r of this.running) if (r.stalled && (!oldest || r.started < oldest.started)) oldest = r;
    return oldest;
  }

  private async timed<T>(op: Running['op'], run: () => Promise<T>): Promise<T> {
    const entry: Running = { op, started: this.now(), stalled: false };
    this.running.add(entry);
    const timer = setTimeout(() => this.stall(entry), this.options.stallMs);
    timer.unref();
    try {
      return await run();
    } finally {
      clearTimeout(timer);
      this.running.delete(entry);
      if (entry.stalled) this.recover(entry);
    }
  }

  private stall(entry: Running): void {
    entry.stalled = true;
    if (this.stalledCount++ === 0) this.options.events?.emit('output.stall', { stalled: true });
    this.options.logger?.warn({ op: entry.op, stall_secs: this.options.stallMs / 1000 }, this.problem() ?? 'output stalled');
  }

  private recover(entry: Running): void {
    const secs = Math.round((this.now() - entry.started) / 100) / 10;
    if (--this.stalledCount === 0) {
      this.options.events?.emit('output.stall', { stalled: false });
      this.options.logger?.warn({ op: entry.op, secs }, `output recovered: the stalled ${entry.op} to ${this.description} completed after ${secs} s`);
    }
  }
}
