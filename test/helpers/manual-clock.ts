import type { Clock } from '../../src/clock.js';
import { cancelled } from '../../src/errors.js';

export interface Sleep {
  ms: number;
  /** Fake time when the sleep began. */
  at: number;
  release(): void;
}

/** Records every sleep; each waits until the test releases it (or its signal aborts). */
export class ManualClock implements Clock {
  readonly sleeps: Sleep[] = [];
  readonly pending = new Set<Sleep>();
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const entry: Sleep = {
        ms,
        at: this.time,
        release: () => {
          this.pending.delete(entry);
          this.time = Math.max(this.time, entry.at + ms);
          resolve();
        },
      };
      this.sleeps.push(entry);
      this.pending.add(entry);
      signal?.addEventListener('abort', () => {
        this.pending.delete(entry);
        reject(cancelled());
      }, { once: true });
    });
  }
}
