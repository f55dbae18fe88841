import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHelError } from '../../../src/errors.js';
import { resilience } from '../../helpers/resilience-config.js';
import { context, harness, post, thrown } from '../../helpers/transport-harness.js';
import { json, scriptedServer } from '../../helpers/loopback.js';

const OK = { items: [] };

test('retries.max_attempts: 0 sends exactly one request, even after a 503 or a 429 with Retry-After', async (t) => {
  for (const [status, headers] of [
    [503, {}],
    [429, { 'retry-after': '1' }],
  ] as const) {
    const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, status, { message: 'busy' }, headers) : json(res, 200, OK)));
    const h = harness(t, { resilience: resilience({ retries: { max_attempts: 0 } }) });
    const err = await thrown(() => h.transport.send(post(`${server.url}/events`), context()));
    assert.ok(isHelError(err) && err.code === 'HEL_HTTP_STATUS', String(err));
    assert.match(err.message, new RegExp(`HTTP ${status} .*gave up after 1 attempt`));
    assert.equal(server.requests.length, 1, `${status}: one request, no retry`);
    assert.deepEqual(h.clock.sleeps, [], 'no wait');
  }
});

test('retries.max_attempts: 1 still waits out a 429 with Retry-After (the server pacing, not a failure); 0 does not', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, OK)));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 1 } }) });
  const res = await h.transport.send(post(`${server.url}/events`), context());
  assert.equal(res.status, 200);
  assert.equal(server.requests.length, 2);
  assert.deepEqual(h.clock.sleeps, [1000]);
});

test('retries.retryable_status_codes: a listed status is retried, an unlisted 503 is not', async (t) => {
  const conflict = await scriptedServer(t, (n, _req, res) => (n < 2 ? json(res, 409, { message: 'index rebuilding' }) : json(res, 200, OK)));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 5, retryable_status_codes: [409, 503] } }) });
  const res = await h.transport.send(post(`${conflict.url}/events`), context());
  assert.equal(res.status, 200);
  assert.equal(conflict.requests.length, 3);
  assert.deepEqual(h.clock.sleeps, [2000, 4000], 'the normal backoff between attempts');

  const unavailable = await scriptedServer(t, (_n, _req, res) => json(res, 502, { message: 'bad gateway' }));
  const h2 = harness(t, { resilience: resilience({ retries: { max_attempts: 5, retryable_status_codes: [409, 503] } }) });
  const err = await thrown(() => h2.transport.send(post(`${unavailable.url}/events`), context()));
  assert.ok(isHelError(err) && err.context.status === 502);
  assert.equal(unavailable.requests.length, 1, '502 is not in the list: not retried');
});

test('retries.retryable_status_codes without 429: a 429 is not retried either', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, OK)));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 5, retryable_status_codes: [503] } }) });
  const err = await thrown(() => h.transport.send(post(`${server.url}/events`), context()));
  assert.ok(isHelError(err) && err.context.status === 429);
  assert.equal(server.requests.length, 1);
});

test('retries.retryable_status_codes: a 403 that is a rate limit counts as 429', async (t) => {
  const limited = { 'x-ratelimit-remaining': '0', 'retry-after': '2' };
  for (const [codes, requests] of [
    [[429], 2],
    [[503], 1],
  ] as const) {
    const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 403, { message: 'API rate limit exceeded' }, limited) : json(res, 200, OK)));
    const h = harness(t, { resilience: resilience({ retries: { max_attempts: 3, retryable_status_codes: [...codes] } }) });
    await h.transport.send(post(`${server.url}/events`), context()).catch(() => undefined);
    assert.equal(server.requests.length, requests, `retryable_status_codes ${JSON.stringify(codes)}`);
  }
});
