export interface RateLimits {
  perMinute: number;
  perHour: number;
}

export interface RateDecision {
  allowed: boolean;
  /** The per-minute limit, as RateLimit-Limit. */
  limit: number;
  remaining: number;
  /** Seconds until the binding window frees a slot. */
  resetSecs: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Sliding-window request log per account (reference §13.3: 600 a minute and 30,000 an hour).
 * Requests refused with 429 are not counted, so a client that backs off recovers on schedule.
 */
export class SlidingWindowLimiter {
  private readonly logs = new Map<string, number[]>();

  constructor(private readonly limits: RateLimits) {}

  take(key: string, now: number): RateDecision {
    let log = this.logs.get(key);
    if (!log) {
      log = [];
      this.logs.set(key, log);
    }
    const hourStart = firstAfter(log, now - HOUR_MS);
    if (hourStart > 0) log.splice(0, hourStart);
    const minuteStart = firstAfter(log, now - MINUTE_MS);
    const inMinute = log.length - minuteStart;
    const inHour = log.length;
    const { perMinute, perHour } = this.limits;
    if (inMinute >= perMinute || inHour >= perHour) {
      const minuteWait = inMinute >= perMinute ? (log[minuteStart] ?? now) + MINUTE_MS - now : 0;
      const hourWait = inHour >= perHour ? (log[0] ?? now) + HOUR_MS - now : 0;
      return { allowed: false, limit: perMinute, remaining: 0, resetSecs: Math.max(1, Math.ceil(Math.max(minuteWait, hourWait) / 1000)) };
    }
    log.push(now);
    const remaining = Math.min(perMinute - inMinute - 1, perHour - inHour - 1);
    const oldestInMinute = log[minuteStart] ?? now;
    return { allowed: true, limit: perMinute, remaining, resetSecs: Math.max(0, Math.ceil((oldestInMinute + MINUTE_MS - now) / 1000)) };
  }
}

/** Index of the first timestamp strictly after `bound` in an ascending log. */
function firstAfter(log: number[], bound: number): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((log[mid] ?? 0) > bound) high = mid;
    else low = mid + 1;
  }
  return low;
}
