import type { Bus } from '../bus/event-bus.js';
import type { SourceEventMap } from '../engine/source-runtime.js';
import type { PollEventMap } from '../engine/poll.js';
import type { TransportEventMap } from '../http/transport.js';
import type { Logger } from './logger.js';

type LoggedEventMap = Pick<TransportEventMap, 'http.retry'> & Pick<PollEventMap, 'poll.warning' | 'poll.cursor_reset'> & Pick<SourceEventMap, 'breaker.change'>;

/**
 * The log lines that follow events of the bus; returns the function that stops them. Every line
 * names its source. A retry is a warning: a backoff can last minutes, and without a line an
 * operator cannot tell a waiting source from a stalled one. URLs in events are already redacted.
 */
export function logEvents(bus: Bus<LoggedEventMap>, logger: Logger): () => void {
  const stops = [
    bus.on('http.retry', ({ source, attempt, delayMs, url, reason }) => logger.warn({ source, attempt, delay_ms: delayMs, url }, reason)),
    bus.on('poll.warning', ({ source, message, fields }) => logger.warn({ source, ...fields }, message)),
    bus.on('poll.cursor_reset', ({ source, from, status }) =>
      logger.warn({ source, from, status }, `the stored cursor was rejected (${status ?? 'no status'}); restarting from ${from ?? 'the configured first request'} with on_cursor_error: reset`),
    ),
    bus.on('breaker.change', ({ source, from, to, failures, openMs }) => {
      const line = `circuit ${from} -> ${to}`;
      if (to === 'open') logger.error({ source, circuit: to, failures }, `${line} after ${failures} failed polls; polls are skipped for ${openMs / 1000}s`);
      else logger.warn({ source, circuit: to }, line);
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
