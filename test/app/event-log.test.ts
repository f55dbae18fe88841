import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../src/bus/event-bus.js';
import type { HelEventMap } from '../../src/app/hel-events.js';
import { logEvents } from '../../src/app/event-log.js';
import { createLogger } from '../../src/log/logger.js';
import { captureStream } from '../helpers/log-capture.js';

function logged() {
  const out = captureStream();
  const bus = new EventBus<HelEventMap>();
  const stop = logEvents(bus, createLogger({ level: 'info', format: 'json', destination: out.stream }));
  // Without pino's own fields, so a line compares whole.
  return { bus, stop, lines: () => out.lines().map(({ time: _time, pid: _pid, hostname: _host, ...line }) => line) };
}

void test('retries, tolerated problems, a reset cursor and breaker changes become log lines that name their source', () => {
  const { bus, lines } = logged();
  bus.emit('http.retry', { source: 'okta', attempt: 2, delayMs: 1500, reason: 'HTTP 503 from the API; retrying in 1.5 s', url: 'https://api.example.test/logs?token=REDACTED' });
  bus.emit('poll.warning', { source: 'okta', message: 'page 3: 1 event line(s) over max_line_bytes', fields: { page: 3 } });
  bus.emit('poll.cursor_reset', { source: 'op', from: '2026-01-01T10:00:00Z', status: 400 });
  bus.emit('poll.cursor_reset', { source: 'op', from: undefined, status: undefined });
  bus.emit('breaker.change', { source: 'gh', from: 'closed', to: 'open', failures: 5, openMs: 30_000 });
  bus.emit('breaker.change', { source: 'gh', from: 'open', to: 'half_open', failures: 0, openMs: 30_000 });
  assert.deepEqual(lines(), [
    { level: 40, source: 'okta', msg: 'HTTP 503 from the API; retrying in 1.5 s', attempt: 2, delay_ms: 1500, url: 'https://api.example.test/logs?token=REDACTED' },
    { level: 40, source: 'okta', msg: 'page 3: 1 event line(s) over max_line_bytes', page: 3 },
    { level: 40, source: 'op', msg: 'the stored cursor was rejected (400); restarting from 2026-01-01T10:00:00Z with on_cursor_error: reset', from: '2026-01-01T10:00:00Z', status: 400 },
    { level: 40, source: 'op', msg: 'the stored cursor was rejected (no status); restarting from the configured first request with on_cursor_error: reset' },
    { level: 50, source: 'gh', msg: 'circuit closed -> open after 5 failed polls; polls are skipped for 30s', circuit: 'open', failures: 5 },
    { level: 40, source: 'gh', msg: 'circuit open -> half_open', circuit: 'half_open' },
  ]);
});

void test('events that are counted, not logged, write no line; after stop nothing is logged', () => {
  const { bus, stop, lines } = logged();
  bus.emit('http.response', { source: 'okta', status: 200, durationMs: 12, url: 'https://api.example.test/logs' });
  bus.emit('poll.page', { source: 'okta', page: { index: 1, status: 200, events: 2, emitted: 2, duplicates: 0, durationMs: 5, rateLimitHeaders: {} } });
  bus.emit('state.write', { source: 'okta', durationMs: 1 });
  assert.deepEqual(lines(), []);
  stop();
  bus.emit('http.retry', { source: 'okta', attempt: 2, delayMs: 1, reason: 'again', url: 'https://api.example.test/logs' });
  bus.emit('breaker.change', { source: 'gh', from: 'closed', to: 'open', failures: 5, openMs: 30_000 });
  assert.deepEqual(lines(), []);
});
