import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from '../../src/server/metrics.js';

void test('hel_requests_total counts attempts without any response as status_class="error", and answered ones by class', async () => {
  const metrics = new Metrics();
  const source = 'okta';
  // Attempt 1: connection reset, retried. Attempt 2: 503, retried. Attempt 3: timeout, given up.
  metrics.onRetry({ source });
  metrics.onResponse({ source, status: 503, durationMs: 20 });
  metrics.onRetry({ source });
  metrics.onError({ source });
  // Next request: 200 straight away, then a network error given up at once.
  metrics.onResponse({ source, status: 200, durationMs: 10 });
  metrics.onError({ source });
  const text = await metrics.render();
  assert.match(text, /hel_requests_total\{source="okta",status_class="error"\} 3\n/);
  assert.match(text, /hel_requests_total\{source="okta",status_class="5xx"\} 1\n/);
  assert.match(text, /hel_requests_total\{source="okta",status_class="2xx"\} 1\n/);
  assert.match(text, /hel_retries_total\{source="okta"\} 2\n/);
});
