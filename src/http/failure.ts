import type { HelError } from '../errors.js';

// A failed attempt and what its server said: the request path (OAuth2 token requests) reports them and
// resilience (retry, troubleshooting) turns them into hints, so they sit in http/, below both.

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
