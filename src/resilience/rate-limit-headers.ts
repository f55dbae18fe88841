import type { Clock } from '../clock.js';
import { redactUrl } from '../http/redact-url.js';
import type { HttpTransport, TransportEvents } from '../http/transport.js';

/** Header waits are honoured up to max(max_backoff_secs, this): 1Password's hourly cap can need most of an hour. */
const MIN_HEADER_WAIT_CAP_MS = 3_600_000;

export function headerWaitCapMs(maxBackoffSecs: number): number {
  return Math.max(maxBackoffSecs * 1000, MIN_HEADER_WAIT_CAP_MS);
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : at - now;
}

const NUMBER = /^\d+(\.\d+)?$/;

/**
 * The IETF structured `RateLimit` field: the older drafts' `limit=10, remaining=0, reset=30` and the
 * newer `"policy";r=0;t=30`. Returns remaining and reset (delta seconds) when present.
 */
function structuredRateLimit(value: string | undefined): { remaining?: number; reset?: number } {
  if (value === undefined) return {};
  const param = (names: string[]): number | undefined => {
    for (const name of names) {
      const m = new RegExp(`(?:^|[;,\\s])${name}=(\\d+(?:\\.\\d+)?)`, 'i').exec(value);
      if (m) return Number(m[1]);
    }
    return undefined;
  };
  return { remaining: param(['r', 'remaining']), reset: param(['t', 'reset']) };
}

/**
 * The reset of every common family, as a wait in ms: the IETF `RateLimit-Reset` and `RateLimit: …;t=`
 * (delta seconds); `X-RateLimit-Reset` (GitHub: Unix seconds) and Okta's `X-Rate-Limit-Reset` (Unix
 * seconds), which may also be Unix milliseconds or a delta in seconds.
 */
function parseReset(headers: Record<string, string>, now: number): number | undefined {
  const ietf = headers['ratelimit-reset'];
  if (ietf !== undefined && NUMBER.test(ietf.trim())) return Number(ietf) * 1000;
  const structured = structuredRateLimit(headers.ratelimit).reset;
  if (structured !== undefined) return structured * 1000;
  const legacy = headers['x-ratelimit-reset'] ?? headers['x-rate-limit-reset'];
  if (legacy === undefined || !NUMBER.test(legacy.trim())) return undefined;
  const value = Number(legacy);
  if (value > 1e12) return value - now;
  if (value > 1e9) return value * 1000 - now;
  return value * 1000;
}

function capped(wait: number | undefined, capMs: number): number | undefined {
  return wait === undefined ? undefined : Math.min(Math.max(0, Math.round(wait)), capMs);
}

/** How long the server asked us to wait: `Retry-After`, else the rate-limit reset header; capped, never negative. */
export function serverWaitMs(headers: Record<string, string>, now: number, capMs: number): number | undefined {
  return capped(parseRetryAfter(headers['retry-after'], now) ?? parseReset(headers, now), capMs);
}

/** Whether a response says the quota is used up (Remaining 0 in any family). */
export function quotaExhausted(headers: Record<string, string>): boolean {
  const remaining = headers['ratelimit-remaining'] ?? headers['x-ratelimit-remaining'] ?? headers['x-rate-limit-remaining'];
  if (remaining !== undefined) return NUMBER.test(remaining.trim()) && Number(remaining) <= 0;
  const structured = structuredRateLimit(headers.ratelimit).remaining;
  return structured !== undefined && structured <= 0;
}

export interface RateLimitHeadersOptions {
  clock: Clock;
  capMs: number;
  events?: TransportEvents;
}

/**
 * Pauses BEFORE the next request when a response said the quota is used up (Remaining 0 in
 * any header family) until its reset time. 429 responses are
 * left to the retry wrapper, which waits for `Retry-After` itself (see retry.ts).
 */
export function rateLimitHeadersTransport(inner: HttpTransport, options: RateLimitHeadersOptions): HttpTransport {
  let notBefore = 0;
  return {
    async send(request, context) {
      const wait = notBefore - options.clock.now();
      if (wait > 0) {
        options.events?.onRateLimited?.({ source: context.source, delayMs: wait, url: redactUrl(request.url) });
        await options.clock.sleep(wait, context.signal);
      }
      const response = await inner.send(request, context);
      if (response.status !== 429 && quotaExhausted(response.headers)) {
        const now = options.clock.now();
        const reset = capped(parseReset(response.headers, now), options.capMs);
        if (reset !== undefined) notBefore = Math.max(notBefore, now + reset);
      }
      return response;
    },
  };
}
