import type { Clock } from '../../src/clock.js';
import { cancelled } from '../../src/errors.js';

/** A clock whose sleeps are recorded and return at once, moving time forward by the slept amount. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(public time = Date.UTC(2026, 0, 1, 12, 0, 0)) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw cancelled();
    this.sleeps.push(ms);
    this.time += ms;
    // Yield to I/O, as a real timer would, so a busy-waiting caller cannot starve the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw cancelled();
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
