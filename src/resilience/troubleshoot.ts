import { STATUS_CODES } from 'node:http';
import { serverMessage, type Advisor, type Failure } from '../http/failure.js';

export interface Troubleshooting {
  /** What happened, without source, URL or attempt (the error context carries those). */
  message: string;
  /** What the user can check, from the troubleshooting table in docs/resilience.md. */
  hint: string;
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
      return "the credentials are valid but not allowed to read this endpoint: check the token's permissions or scopes";
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
