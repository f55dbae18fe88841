import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../src/bus/event-bus.js';
import type { HelEventMap } from '../../src/app/hel-events.js';
import { Metrics } from '../../src/server/metrics.js';

void test('hel_requests_total counts attempts without any response as status_class="error", and answered ones by class', async () => {
  const metrics = new Metrics();
  const bus = new EventBus<HelEventMap>();
  metrics.subscribe(bus);
  const source = 'okta';
  const url = 'https://api.example.test/events';
  const retry = { source, delayMs: 1000, reason: 'retrying', url };
  // Attempt 1: connection reset, retried. Attempt 2: 503, retried. Attempt 3: timeout, given up.
  bus.emit('http.retry', { ...retry, attempt: 2 });
  bus.emit('http.response', { source, status: 503, durationMs: 20, url });
  bus.emit('http.retry', { ...retry, attempt: 3 });
  bus.emit('http.error', { source, code: 'HEL_TIMEOUT', url });
  // Next request: 200 straight away, then a network error given up at once.
  bus.emit('http.response', { source, status: 200, durationMs: 10, url });
  bus.emit('http.error', { source, code: 'HEL_NETWORK', url });
  const text = await metrics.render();
  assert.match(text, /hel_requests_total\{source="okta",status_class="error"\} 3\n/);
  assert.match(text, /hel_requests_total\{source="okta",status_class="5xx"\} 1\n/);
  assert.match(text, /hel_requests_total\{source="okta",status_class="2xx"\} 1\n/);
  assert.match(text, /hel_retries_total\{source="okta"\} 2\n/);
});
