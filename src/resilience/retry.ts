import type { Clock } from '../clock.js';
import type { RetriesConfig } from '../config/schema.js';
import { HelError, cancelled, isHelError } from '../errors.js';
import { redactUrl } from '../http/redact-url.js';
import type { Emitter } from '../bus/event-bus.js';
import type { HttpResponse, HttpTransport, TransportEventMap } from '../http/transport.js';
import { isUtf8 } from 'node:buffer';
import { rejectsCursor } from '../http/cursor-rejection.js';
import { isCompressed, parseJsonBody } from '../http/json-body.js';
import { backoffDelayMs, type Random } from './backoff.js';
import { quotaExhausted, serverWaitMs, type QuotaHeaderNames } from './rate-limit-headers.js';
import { troubleshoot } from './troubleshoot.js';
import type { Advisor, Failure } from '../http/failure.js';

/**
 * A 429 that says how long to wait (Retry-After or a reset header) is the server pacing us, not a
 * failure: it does not use up one of `max_attempts`, but at most this many such waits per request.
 */
export const MAX_RATE_LIMIT_WAITS = 10;

const RETRIED_ERRORS = new Set(['HEL_NETWORK', 'HEL_TIMEOUT']);

/** `retryable_status_codes` when set, else 408, 429 and 5xx. */
function retriedStatuses(codes: readonly number[] | undefined): (status: number) => boolean {
  if (codes !== undefined) {
    const listed = new Set(codes);
    return (status) => listed.has(status);
  }
  return (status) => status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** GitHub asks for at least a minute when a secondary rate limit comes without a wait header. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;
const RATE_LIMIT_MESSAGE = /rate.?limit/i;

/**
 * A 429, or a 403 that is a rate limit rather than a refusal: its quota header says 0 left, it
 * carries Retry-After, or its body says so (GitHub's primary and secondary limits answer 403).
 */
function isRateLimited(response: HttpResponse, names?: QuotaHeaderNames): boolean {
  if (response.status === 429) return true;
  if (response.status !== 403) return false;
  if (quotaExhausted(response.headers, names) || response.headers['retry-after'] !== undefined) return true;
  return RATE_LIMIT_MESSAGE.test(response.body.subarray(0, 4096).toString('utf8'));
}

export interface RetryOptions {
  retries: RetriesConfig;
  clock: Clock;
  /** rate_limit.respect_headers: wait as long as Retry-After / the reset header says. */
  respectHeaders: boolean;
  headerWaitCapMs: number;
  /** rate_limit.headers: the server's own quota header names. */
  quotaHeaders?: QuotaHeaderNames;
  random?: Random;
  events?: Emitter<TransportEventMap>;
  /** The source's integration's hints for failed requests. */
  advise?: Advisor;
}

interface Attempt {
  response?: HttpResponse;
  error?: HelError;
}

/**
 * Re-sends the same request on HEL_NETWORK, HEL_TIMEOUT, 408, 429, a rate-limit 403 and 5xx (or the
 * `retryable_status_codes`, where a rate-limit 403 counts as 429), up to `max_attempts` attempts in
 * total, waiting the exponential backoff (or the server's Retry-After) in between. `max_attempts: 0`
 * sends exactly one request: nothing is re-sent, not even after a 429 with Retry-After.
 * Other statuses throw HEL_HTTP_STATUS at once. Returns only 2xx responses.
 */
export function retryTransport(inner: HttpTransport, options: RetryOptions): HttpTransport {
  const { retries, clock, events } = options;
  const isRetriedStatus = retriedStatuses(retries.retryable_status_codes);
  const singleAttempt = retries.max_attempts === 0;
  return {
    async send(request, context) {
      const url = redactUrl(request.url);
      let failures = 0;
      let rateLimitWaits = 0;
      for (let attempt = 1; ; attempt++) {
        if (context.signal.aborted) throw cancelled(context.source);
        context.attempt = attempt;
        const result: Attempt = {};
        try {
          result.response = await inner.send(request, context);
        } catch (err) {
          if (!isHelError(err) || !RETRIED_ERRORS.has(err.code)) throw err;
          result.error = err;
        }
        const status = result.response?.status;
        // A body that is not UTF-8 is not a transient fault: the source's on_invalid_utf8 decides (engine/poll.ts).
        if (status !== undefined && status >= 200 && status <= 299 && !isUtf8(result.response!.body) && !isCompressed(result.response!)) return result.response!;
        if (status !== undefined && status >= 200 && status <= 299) {
          // A complete 200 that is not JSON (a garbled proxy answer, a half-written page) is as
          // transient as a 503: retried, instead of failing the poll for a whole interval.
          try {
            const parsed = parseJsonBody(result.response!, { source: context.source, url, attempt });
            return { ...result.response!, parsed };
          } catch (err) {
            if (context.textBody) return result.response!;
            result.error = err as HelError;
          }
        }

        const answered = result.error === undefined ? status : undefined;
        const failure: Failure = {
          url: request.url,
          attempt,
          status: answered,
          body: result.response?.body,
          error: result.error,
          carriesCursor: context.carriesCursor,
          rateLimited: result.response !== undefined && isRateLimited(result.response, options.quotaHeaders),
        };
        const giveUp = (final: boolean): HelError => {
          const { message, hint } = troubleshoot({ ...failure, final }, options.advise);
          const code = result.error?.code ?? 'HEL_HTTP_STATUS';
          events?.emit('http.error', { source: context.source, code, url });
          const cursorRejected = context.carriesCursor === true && status !== undefined && rejectsCursor(status, result.response?.body);
          return new HelError(code, message, { source: context.source, url, attempt, status, hint, ...(cursorRejected ? { cursorRejected } : {}) }, { cause: result.error });
        };
        const retried = failure.rateLimited ? isRetriedStatus(429) : answered === undefined || isRetriedStatus(answered);
        if (answered !== undefined && !retried) throw giveUp(true);
        if (singleAttempt) throw giveUp(false);

        const serverWait = result.response !== undefined && options.respectHeaders ? serverWaitMs(result.response.headers, clock.now(), options.headerWaitCapMs, options.quotaHeaders) : undefined;
        const paced = failure.rateLimited === true && serverWait !== undefined && rateLimitWaits < MAX_RATE_LIMIT_WAITS;
        if (paced) rateLimitWaits += 1;
        else failures += 1;
        if (!paced && failures >= retries.max_attempts) throw giveUp(false);

        const backoff = backoffDelayMs(Math.max(1, failures), retries, options.random);
        const delayMs = serverWait ?? (status === 403 ? Math.max(backoff, SECONDARY_LIMIT_WAIT_MS) : backoff);
        if (failure.rateLimited) events?.emit('http.rate_limited', { source: context.source, delayMs, url });
        events?.emit('http.retry', { source: context.source, attempt: attempt + 1, delayMs, reason: troubleshoot({ ...failure, retryInMs: delayMs }, options.advise).message, url });
        await clock.sleep(delayMs, context.signal);
      }
    },
  };
}
