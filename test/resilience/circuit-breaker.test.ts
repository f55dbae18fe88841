import assert from 'node:assert/strict';
import { test } from 'node:test';
import { circuitBreakerSchema } from '../../src/config/schema.js';
import { CircuitBreaker, type BreakerStateChange } from '../../src/resilience/circuit-breaker.js';
import { FakeClock } from '../helpers/clock.js';

const config = circuitBreakerSchema.parse({ failure_threshold: 3, success_threshold: 2, half_open_timeout_secs: 60 });

function breaker(clock = new FakeClock()) {
  const changes: string[] = [];
  const onStateChange = (c: BreakerStateChange): void => void changes.push(`${c.from}->${c.to}`);
  return { breaker: new CircuitBreaker(config, { clock, onStateChange }), changes, clock };
}

test('closed → open → half_open → closed', () => {
  const { breaker: b, changes, clock } = breaker();
  b.recordFailure();
  b.recordFailure();
  assert.equal(b.state, 'closed');
  b.recordFailure();
  assert.equal(b.state, 'open');
  assert.equal(b.allowPoll(), false, 'open: skip polls');
  assert.equal(b.msUntilTrial(), 60_000);
  clock.advance(59_999);
  assert.equal(b.allowPoll(), false);
  clock.advance(1);
  assert.equal(b.allowPoll(), true, 'the trial poll');
  assert.equal(b.state, 'half_open');
  b.recordSuccess();
  assert.equal(b.state, 'half_open', 'one success is not enough with success_threshold 2');
  assert.equal(b.allowPoll(), true);
  b.recordSuccess();
  assert.equal(b.state, 'closed');
  assert.deepEqual(changes, ['closed->open', 'open->half_open', 'half_open->closed']);
});

test('a failure in half_open reopens, with a fresh open-since time', () => {
  const { breaker: b, changes, clock } = breaker();
  for (let i = 0; i < 3; i++) b.recordFailure();
  const firstOpen = b.toJSON().open_since;
  clock.advance(60_000);
  assert.equal(b.allowPoll(), true);
  b.recordSuccess();
  b.recordFailure();
  assert.equal(b.state, 'open');
  assert.notEqual(b.toJSON().open_since, firstOpen);
  assert.equal(b.allowPoll(), false);
  assert.deepEqual(changes, ['closed->open', 'open->half_open', 'half_open->open']);
});

test('a success resets the consecutive failure count', () => {
  const { breaker: b } = breaker();
  b.recordFailure();
  b.recordFailure();
  b.recordSuccess();
  b.recordFailure();
  b.recordFailure();
  assert.equal(b.state, 'closed');
});

test('state serialises and restores, including the open-since time', () => {
  const { breaker: b, clock } = breaker();
  for (let i = 0; i < 3; i++) b.recordFailure();
  const saved = JSON.parse(JSON.stringify(b)) as ReturnType<CircuitBreaker['toJSON']>;
  assert.deepEqual(saved, { state: 'open', consecutive_failures: 3, consecutive_successes: 0, open_since: new Date(clock.now()).toISOString() });
  clock.advance(30_000);
  const restored = new CircuitBreaker(config, { clock, initial: saved });
  assert.equal(restored.allowPoll(), false);
  assert.equal(restored.msUntilTrial(), 30_000);
  clock.advance(30_000);
  assert.equal(restored.allowPoll(), true);
  assert.equal(restored.state, 'half_open');
});

test('enabled: false always allows polls', () => {
  const b = new CircuitBreaker({ ...config, enabled: false }, { clock: new FakeClock() });
  for (let i = 0; i < 10; i++) b.recordFailure();
  assert.equal(b.allowPoll(), true);
  assert.equal(b.state, 'closed');
});
