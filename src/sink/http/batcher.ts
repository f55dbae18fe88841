import type { Clock } from '../../clock.js';
import type { OutLine } from './lines.js';

export interface BatchLimits {
  /** Lines per request (batch_size). */
  maxLines: number;
  /** Bytes of NDJSON per request (max_batch_bytes); a single larger line goes alone. */
  maxBytes: number;
  /** How long a line may wait for its batch to fill (batch_timeout_ms) when no flush comes. */
  timeoutMs: number;
}

/**
 * Gathers lines into request-sized batches. A full batch is handed to `ship` at once; a partial one
 * when the oldest line has waited `timeoutMs`, or when the owner takes it (a flush).
 */
export class Batcher {
  private open: OutLine[] = [];
  private openBytes = 0;
  private timer: AbortController | undefined;

  constructor(
    private readonly limits: BatchLimits,
    private readonly clock: Clock,
    private readonly ship: (lines: OutLine[]) => void,
  ) {}

  /** Adds lines; returns the batches that became full (already removed from the open one). */
  add(lines: readonly OutLine[]): OutLine[][] {
    const full: OutLine[][] = [];
    for (const line of lines) {
      if (this.open.length > 0 && this.openBytes + line.bytes.length > this.limits.maxBytes) full.push(this.take());
      this.open.push(line);
      this.openBytes += line.bytes.length;
      if (this.open.length >= this.limits.maxLines || this.openBytes >= this.limits.maxBytes) full.push(this.take());
    }
    if (this.open.length > 0 && this.timer === undefined) this.startTimer();
    return full;
  }

  /** The open batch (possibly empty); the batch timer stops. */
  take(): OutLine[] {
    const lines = this.open;
    this.open = [];
    this.openBytes = 0;
    this.timer?.abort();
    this.timer = undefined;
    return lines;
  }

  get size(): number {
    return this.open.length;
  }

  stop(): void {
    this.timer?.abort();
    this.timer = undefined;
  }

  private startTimer(): void {
    const timer = new AbortController();
    this.timer = timer;
    this.clock.sleep(this.limits.timeoutMs, timer.signal).then(
      () => {
        if (this.timer !== timer) return;
        const lines = this.take();
        if (lines.length > 0) this.ship(lines);
      },
      () => undefined,
    );
  }
}
