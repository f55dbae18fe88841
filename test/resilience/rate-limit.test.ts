import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/clock.js';
import type { HelError } from '../../src/errors.js';
import { serverWaitMs } from '../../src/resilience/rate-limit-headers.js';
import { MAX_RATE_LIMIT_WAITS } from '../../src/resilience/retry.js';
import { onePassword } from '../../src/integrations/onepassword/index.js';
import { resilience } from '../helpers/resilience-config.js';
import { context, harness, post, thrown } from '../helpers/transport-harness.js';
import { json, scriptedServer } from '../helpers/loopback.js';

const OK = { items: [], cursor: 'c', has_more: false };
const HOUR = 3_600_000;

test('429 with Retry-After in seconds waits that long and does not use up an attempt', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, { Error: { Message: 'Too Many Requests' } }, { 'retry-after': '7' }) : json(res, 200, OK)));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 1 } }) });
  const res = await h.transport.send(post(`${server.url}/api/v2/auditevents`), context());
  assert.equal(res.status, 200);
  assert.deepEqual(h.clock.sleeps, [7000]);
  assert.match(h.retries[0]!.reason, /HTTP 429 Too Many Requests; retrying in 7 s/);
});

test('429 with Retry-After as an HTTP date waits until that date', async (t) => {
  const h = harness(t);
  const at = new Date(h.clock.now() + 30_000).toUTCString();
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, {}, { 'retry-after': at }) : json(res, 200, OK)));
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [30_000]);
});

test('429 without Retry-After falls back to X-RateLimit-Reset (Unix seconds)', async (t) => {
  const h = harness(t);
  const reset = String(Math.floor(h.clock.now() / 1000) + 42);
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }) : json(res, 200, OK)));
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [42_000]);
});

test('429 with the IETF RateLimit-Reset delta', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, {}, { 'ratelimit-remaining': '0', 'ratelimit-reset': '12' }) : json(res, 200, OK)));
  const h = harness(t);
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [12_000]);
});

test('429 without any header uses the backoff and counts as a failed attempt', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 429, {}));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 3 } }), advise: onePassword.troubleshoot });
  const err = (await thrown(() => h.transport.send(post(`${server.url}/api/v2/auditevents`), context()))) as HelError;
  assert.equal(err.code, 'HEL_HTTP_STATUS');
  assert.equal(err.context.status, 429);
  assert.equal(err.message, 'HTTP 429 Too Many Requests; gave up after 3 attempts');
  assert.match(err.context.hint ?? '', /600 requests\/min and 30,000\/h/);
  assert.deepEqual(h.clock.sleeps, [2000, 4000]);
});

test('with respect_headers: false a Retry-After is ignored and the backoff is used', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, {}, { 'retry-after': '7' }) : json(res, 200, OK)));
  const h = harness(t, { resilience: resilience({ rate_limit: { respect_headers: false } }) });
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [2000]);
});

test(`paced 429s give up after ${MAX_RATE_LIMIT_WAITS} waits plus max_attempts`, async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 429, {}, { 'retry-after': '1' }));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 2 } }) });
  const err = (await thrown(() => h.transport.send(post(server.url), context()))) as HelError;
  assert.equal(err.context.status, 429);
  assert.equal(server.requests.length, MAX_RATE_LIMIT_WAITS + 2);
  assert.equal(err.context.attempt, MAX_RATE_LIMIT_WAITS + 2);
  assert.deepEqual(h.clock.sleeps, Array<number>(MAX_RATE_LIMIT_WAITS + 1).fill(1000));
});

test('a huge Retry-After is capped at max(max_backoff_secs, 1 h)', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, {}, { 'retry-after': '999999' }) : json(res, 200, OK)));
  const h = harness(t);
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [HOUR]);
});

test('Retry-After on a 503 is honoured (and counts as an attempt)', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 503, {}, { 'retry-after': '5' }) : json(res, 200, OK)));
  const h = harness(t);
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [5000]);
});

test('X-RateLimit-Remaining: 0 on a success pauses the NEXT request until the reset', async (t) => {
  const h = harness(t);
  const server = await scriptedServer(t, (n, _req, res) => json(res, 200, OK, n === 0 ? { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(h.clock.now() / 1000) + 45) } : {}));
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [], 'the response itself is returned at once');
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [45_000]);
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [45_000], 'one pause only');
});

test('RateLimit-Remaining above 0 never pauses', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, OK, { 'ratelimit-remaining': '3', 'ratelimit-reset': '30' }));
  const h = harness(t);
  for (let i = 0; i < 3; i++) await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, []);
});

test('cancellation during a Retry-After wait returns promptly', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 429, {}, { 'retry-after': '3000' }));
  const controller = new AbortController();
  const h = harness(t, { clock: systemClock });
  const started = performance.now();
  const pending = h.transport.send(post(server.url), context({ signal: controller.signal }));
  setTimeout(() => controller.abort(), 50);
  const err = (await thrown(() => pending)) as HelError;
  assert.equal(err.code, 'HEL_CANCELLED');
  assert.ok(performance.now() - started < 1000);
});

test('serverWaitMs: reset formats and precedence', () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(serverWaitMs({ 'retry-after': '3', 'x-ratelimit-reset': '99' }, now, HOUR), 3000);
  assert.equal(serverWaitMs({ 'x-ratelimit-reset': String(now + 5000) }, now, HOUR), 5000, 'Unix milliseconds');
  assert.equal(serverWaitMs({ 'x-ratelimit-reset': '20' }, now, HOUR), 20_000, 'delta seconds');
  assert.equal(serverWaitMs({ 'retry-after': new Date(now - 5000).toUTCString() }, now, HOUR), 0, 'a date in the past');
  assert.equal(serverWaitMs({ 'retry-after': 'soon' }, now, HOUR), undefined);
  assert.equal(serverWaitMs({}, now, HOUR), undefined);
});
