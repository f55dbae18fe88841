import type { TransportEvents } from '../http/transport.js';
import type { Logger } from './logger.js';

/**
 * `events` plus a warning for every retry: a backoff can last minutes, and without a line in the
 * log an operator cannot tell a waiting source from a stalled one. The URL is already redacted.
 */
export function withRetryLog(logger: Logger, events: TransportEvents = {}): TransportEvents {
  return {
    onResponse: (info) => events.onResponse?.(info),
    onRateLimited: (info) => events.onRateLimited?.(info),
    onError: (info) => events.onError?.(info),
    onRetry: (info) => {
      events.onRetry?.(info);
      logger.warn({ source: info.source, attempt: info.attempt, delay_ms: info.delayMs, url: info.url }, info.reason);
    },
  };
}
