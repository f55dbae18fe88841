import type { RetriesConfig } from '../config/schema.js';

/** Returns a number in [0, 1); tests inject a constant to make jitter exact. */
export type Random = () => number;

/**
 * Delay before retry `n` (1-based: the wait after the n-th failed attempt):
 * `initial × multiplier^(n-1)`, randomised by ± `jitter` of itself, then capped at `max_backoff_secs`
 * so the cap is a true maximum.
 */
export function backoffDelayMs(n: number, retries: RetriesConfig, random: Random = Math.random): number {
  const base = retries.initial_backoff_secs * 1000 * retries.multiplier ** (n - 1);
  const jittered = base * (1 + retries.jitter * (2 * random() - 1));
  return Math.round(Math.max(0, Math.min(jittered, retries.max_backoff_secs * 1000)));
}
