import { STATUS_CODES } from 'node:http';
import type { HelError } from '../errors.js';

/** An integration's own hint for a failure (its status-code page), or undefined for the generic one. */
export type Advisor = (failure: Failure) => string | undefined;

/** One failed attempt, as the retry wrapper sees it. */
export interface Failure {
  url: string;
  attempt: number;
  /** The server's status, when it answered. */
  status?: number;
  body?: Buffer;
  /** A failure without a response (HEL_NETWORK, HEL_TIMEOUT): its message and hint are kept. */
  error?: HelError;
  /** The request continued from a cursor (stored or from the previous page). */
  carriesCursor?: boolean;
  /** Set when another attempt follows after this delay; unset when Hel gave up. */
  retryInMs?: number;
  /** Set when the failure's status is not retried at all. */
  final?: boolean;
  /** A 429, or a 403 whose headers or body say it is a rate limit (GitHub), not a refusal. */
  rateLimited?: boolean;
  /** The OAuth2 token endpoint refused (its error body is RFC 6749's `error`), not the API. */
  tokenRequest?: boolean;
}

export interface Troubleshooting {
  /** What happened, without source, URL or attempt (the error context carries those). */
  message: string;
  /** What the user can check, from the troubleshooting table in docs/resilience.md. */
  hint: string;
}

const MAX_SERVER_MESSAGE = 200;

/** The message of a JSON error body: `{"Error":{"Message"}}`, `{message}`, `{errorSummary}`, OAuth-style `error_description`, or `{error}`. */
export function serverMessage(body: Buffer | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const o = parsed as { Error?: { Message?: unknown }; error?: unknown; message?: unknown; error_description?: unknown; errorSummary?: unknown };
  const candidates = [o.Error?.Message, o.message, o.errorSummary, o.error_description, (o.error as { message?: unknown } | undefined)?.message, o.error];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  return found === undefined ? undefined : found.replace(/\s+/g, ' ').trim().slice(0, MAX_SERVER_MESSAGE);
}

function statusLine(status: number, body: Buffer | undefined): string {
  const text = STATUS_CODES[status] ?? 'Unknown Status';
  const server = serverMessage(body);
  const quoted = server !== undefined && server.toLowerCase() !== text.toLowerCase() ? ` ("${server}")` : '';
  return `HTTP ${status} ${text}${quoted}`;
}

function outcome(f: Failure): string {
  if (f.retryInMs !== undefined) return `; retrying in ${formatDelay(f.retryInMs)}`;
  if (f.final) return '';
  return `; gave up after ${f.attempt} attempt${f.attempt === 1 ? '' : 's'}`;
}

function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

function statusHint(f: Failure & { status: number }): string {
  switch (f.rateLimited ? 429 : f.status) {
    case 400:
      if (f.carriesCursor) {
        return 'the server rejected the stored cursor (expired, or from another account or endpoint); set on_cursor_error: reset to restart from the last event time';
      }
      return 'the server rejected the request: check body, query_params and headers';
    case 410:
      if (f.carriesCursor) {
        return 'the server says the stored cursor expired; set on_cursor_error: reset to restart from the last event time';
      }
      return 'the endpoint is gone: check the URL and the API version';
    case 401:
      return 'the credentials are invalid, revoked or expired, or lack the scope this endpoint needs';
    case 403:
      return 'the credentials are valid but not allowed to read this endpoint: check the token\'s permissions or scopes';
    case 404:
      return 'check the URL / region';
    case 408:
      return 'the server timed out waiting for the request; check the network or proxy';
    case 429:
      return 'rate limited: lower the request rate (rate_limit.max_requests_per_minute / max_requests_per_hour, page_delay_secs, schedule.interval_secs)';
    default:
      if (f.status >= 500) return 'a server error on the API side; Hel retries and polls again later';
      return 'an unexpected status; check the URL, method and headers';
  }
}

/**
 * Maps one failure to a message and a hint a user can act on; never includes secrets. The source's
 * integration, when it has one, may give its own hint (its status-code documentation).
 */
export function troubleshoot(f: Failure, advise?: Advisor): Troubleshooting {
  if (f.status !== undefined) {
    return { message: statusLine(f.status, f.body) + outcome(f), hint: advise?.(f) ?? statusHint({ ...f, status: f.status }) };
  }
  const error = f.error;
  return {
    message: (error?.message ?? 'request failed') + outcome(f),
    hint: error?.context.hint ?? 'check the network',
  };
}
