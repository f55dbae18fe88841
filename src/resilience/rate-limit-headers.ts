import type { Clock } from '../clock.js';
import { redactUrl } from '../http/redact-url.js';
import type { Emitter } from '../bus/event-bus.js';
import type { HttpTransport, TransportEventMap } from '../http/transport.js';

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

/** `rate_limit.headers`: a server's own quota header names, read before the built-in families. */
export interface QuotaHeaderNames {
  limit_header?: string;
  remaining_header?: string;
  reset_header?: string;
}

function named(headers: Record<string, string>, name: string | undefined): string | undefined {
  return name === undefined ? undefined : headers[name.toLowerCase()];
}

/** A reset given as Unix milliseconds, Unix seconds or delta seconds, as a wait in ms. */
function resetValueMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !NUMBER.test(value.trim())) return undefined;
  const n = Number(value);
  if (n > 1e12) return n - now;
  if (n > 1e9) return n * 1000 - now;
  return n * 1000;
}

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
function parseReset(headers: Record<string, string>, now: number, names: QuotaHeaderNames = {}): number | undefined {
  const custom = resetValueMs(named(headers, names.reset_header), now);
  if (custom !== undefined) return custom;
  const ietf = headers['ratelimit-reset'];
  if (ietf !== undefined && NUMBER.test(ietf.trim())) return Number(ietf) * 1000;
  const structured = structuredRateLimit(headers.ratelimit).reset;
  if (structured !== undefined) return structured * 1000;
  return resetValueMs(headers['x-ratelimit-reset'] ?? headers['x-rate-limit-reset'], now);
}

function capped(wait: number | undefined, capMs: number): number | undefined {
  return wait === undefined ? undefined : Math.min(Math.max(0, Math.round(wait)), capMs);
}

/** How long the server asked us to wait: `Retry-After`, else the rate-limit reset header; capped, never negative. */
export function serverWaitMs(headers: Record<string, string>, now: number, capMs: number, names?: QuotaHeaderNames): number | undefined {
  return capped(parseRetryAfter(headers['retry-after'], now) ?? parseReset(headers, now, names), capMs);
}

function numberOf(value: string | undefined): number | undefined {
  return value !== undefined && NUMBER.test(value.trim()) ? Number(value) : undefined;
}

/** Requests left in the server's window, from `remaining_header` or any family. */
function quotaRemaining(headers: Record<string, string>, names: QuotaHeaderNames = {}): number | undefined {
  const custom = numberOf(named(headers, names.remaining_header));
  if (custom !== undefined) return custom;
  const remaining = headers['ratelimit-remaining'] ?? headers['x-ratelimit-remaining'] ?? headers['x-rate-limit-remaining'];
  if (remaining !== undefined) return numberOf(remaining);
  return structuredRateLimit(headers.ratelimit).remaining;
}

/** The window's ceiling, from `limit_header` or the common names. */
function quotaLimit(headers: Record<string, string>, names: QuotaHeaderNames = {}): number | undefined {
  return numberOf(named(headers, names.limit_header) ?? headers['ratelimit-limit'] ?? headers['x-ratelimit-limit'] ?? headers['x-rate-limit-limit']);
}

/** Whether a response says the quota is used up (Remaining 0 in any family). */
export function quotaExhausted(headers: Record<string, string>, names?: QuotaHeaderNames): boolean {
  const remaining = quotaRemaining(headers, names);
  return remaining !== undefined && remaining <= 0;
}

/** Adaptive pacing starts once at most this share of the window's limit is left (and always at 1 left). */
export const ADAPTIVE_SHARE = 0.1;

/**
 * How long to wait before the next request, from a response's quota headers: until the reset
 * when nothing is left; with `adaptive`, once at most max(1, 10 % of the limit) is left, the
 * time to the reset spread evenly over the requests that remain (so 1 left waits for the reset).
 */
export function quotaPauseMs(headers: Record<string, string>, now: number, options: { names?: QuotaHeaderNames; adaptive?: boolean }): number | undefined {
  const remaining = quotaRemaining(headers, options.names);
  if (remaining === undefined) return undefined;
  const reset = parseReset(headers, now, options.names);
  if (reset === undefined) return undefined;
  if (remaining <= 0) return reset;
  if (!options.adaptive) return undefined;
  const limit = quotaLimit(headers, options.names);
  const threshold = Math.max(1, limit === undefined ? 0 : Math.floor(limit * ADAPTIVE_SHARE));
  return remaining <= threshold ? reset / remaining : undefined;
}

export interface RateLimitHeadersOptions {
  clock: Clock;
  capMs: number;
  events?: Emitter<TransportEventMap>;
  names?: QuotaHeaderNames;
  /** rate_limit.adaptive: slow down before the quota is used up (see quotaPauseMs). */
  adaptive?: boolean;
}

/**
 * Pauses BEFORE the next request when a response said the quota is used up (Remaining 0 in
 * any header family, or `remaining_header`) until its reset time; with `adaptive`, earlier (see
 * quotaPauseMs). 429 responses are left to the retry wrapper, which waits for `Retry-After`
 * itself (see retry.ts).
 */
export function rateLimitHeadersTransport(inner: HttpTransport, options: RateLimitHeadersOptions): HttpTransport {
  let notBefore = 0;
  return {
    async send(request, context) {
      const wait = notBefore - options.clock.now();
      if (wait > 0) {
        options.events?.emit('http.rate_limited', { source: context.source, delayMs: wait, url: redactUrl(request.url) });
        await options.clock.sleep(wait, context.signal);
      }
      const response = await inner.send(request, context);
      if (response.status !== 429) {
        const now = options.clock.now();
        const pause = capped(quotaPauseMs(response.headers, now, options), options.capMs);
        if (pause !== undefined) notBefore = Math.max(notBefore, now + pause);
      }
      return response;
    },
  };
}
