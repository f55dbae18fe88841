import type { Clock } from '../../src/clock.js';
import { cancelled } from '../../src/errors.js';

/** One sleep a held clock has not let go of yet. */
export interface Sleep {
  ms: number;
  /** Fake time when the sleep began. */
  at: number;
  /** Ends the sleep; time moves to its end unless it is already later. */
  release(): void;
}

export interface FakeClockOptions {
  /**
   * Hold every sleep until the test calls `release()` on it (found in `pending`), to step a
   * scheduler one wait at a time. Otherwise a sleep ends at once and moves time forward.
   */
  holdSleeps?: boolean;
}

/** A clock for tests: fake time, and every sleep recorded so waits are asserted exactly without sleeping. */
export class FakeClock implements Clock {
  /** The duration of every sleep, in call order. */
  readonly sleeps: number[] = [];
  /** Sleeps still waiting for `release()` (only with `holdSleeps`). */
  readonly pending = new Set<Sleep>();
  private readonly holdSleeps: boolean;

  constructor(
    public time = Date.UTC(2026, 0, 1, 12, 0, 0),
    options: FakeClockOptions = {},
  ) {
    this.holdSleeps = options.holdSleeps ?? false;
  }

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw cancelled();
    this.sleeps.push(ms);
    const at = this.time;
    const end = () => (this.time = Math.max(this.time, at + ms));
    if (!this.holdSleeps) {
      end();
      // Yield to I/O, as a real timer would, so a busy-waiting caller cannot starve the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw cancelled();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const entry: Sleep = {
        ms,
        at,
        release: () => {
          this.pending.delete(entry);
          end();
          resolve();
        },
      };
      this.pending.add(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.pending.delete(entry);
          reject(cancelled());
        },
        { once: true },
      );
    });
  }
}
