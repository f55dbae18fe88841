import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retriesSchema } from '../../src/config/schema.js';
import { backoffDelayMs } from '../../src/resilience/backoff.js';

test('exponential: initial × multiplier^(n-1), capped', () => {
  const retries = retriesSchema.parse({ initial_backoff_secs: 2, multiplier: 2, max_backoff_secs: 60, jitter: 0 });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(n, retries)),
    [2000, 4000, 8000, 16000, 32000, 60000, 60000],
  );
});

test('jitter spreads each delay by ± the fraction, never past the cap', () => {
  const retries = retriesSchema.parse({ initial_backoff_secs: 10, multiplier: 3, max_backoff_secs: 60, jitter: 0.2 });
  assert.equal(
    backoffDelayMs(1, retries, () => 0),
    8000,
  );
  assert.equal(
    backoffDelayMs(1, retries, () => 0.5),
    10000,
  );
  assert.equal(
    backoffDelayMs(1, retries, () => 0.999999),
    12000,
  );
  assert.equal(
    backoffDelayMs(2, retries, () => 0.999999),
    36000,
  );
  assert.equal(
    backoffDelayMs(3, retries, () => 0.999999),
    60000,
  );
  assert.equal(
    backoffDelayMs(3, retries, () => 0),
    60000,
    '90 s jittered down to 72 s is still capped',
  );
});

test('fractional seconds and a multiplier of 1', () => {
  const retries = retriesSchema.parse({ initial_backoff_secs: 0.25, multiplier: 1, max_backoff_secs: 60, jitter: 0 });
  assert.deepEqual(
    [1, 2, 3].map((n) => backoffDelayMs(n, retries)),
    [250, 250, 250],
  );
});
