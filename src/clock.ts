import { setTimeout as delay } from 'node:timers/promises';
import { cancelled } from './errors.js';

/**
 * Time as the engine sees it. Tests inject a fake that records every wait and returns at once,
 * so retry and rate-limit timing is asserted exactly without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with HEL_CANCELLED when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms, signal) {
    if (signal?.aborted) throw cancelled();
    if (ms <= 0) return;
    try {
      await delay(ms, undefined, signal === undefined ? undefined : { signal });
    } catch (err) {
      if (signal?.aborted) throw cancelled();
      throw err;
    }
  },
};
