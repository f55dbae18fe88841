import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resilience } from '../../helpers/resilience-config.js';
import { context, harness, post } from '../../helpers/transport-harness.js';
import { json, scriptedServer } from '../../helpers/loopback.js';

const OK = { items: [] };

/** Sends `n` requests one after the other through the harness. */
async function sendMany(h: ReturnType<typeof harness>, url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.transport.send(post(url), context());
}

test("rate_limit.headers: a server's own remaining / reset header names pause the next request until the reset", async (t) => {
  const quota = (now: number) => ({ 'x-quota-left': '0', 'x-quota-reset': String(Math.floor(now / 1000) + 30) });
  const named = harness(t, { resilience: resilience({ rate_limit: { headers: { remaining_header: 'X-Quota-Left', reset_header: 'X-Quota-Reset' } } }) });
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, OK, quota(named.clock.now())));
  await sendMany(named, `${server.url}/events`, 2);
  assert.deepEqual(named.clock.sleeps, [30_000], 'waited for the reset (a Unix time) before the second request');

  const unnamed = harness(t, { resilience: resilience() });
  await sendMany(unnamed, `${server.url}/events`, 2);
  assert.deepEqual(unnamed.clock.sleeps, [], 'without the names these headers mean nothing');
});

test('rate_limit.headers.reset_header: a 429 without Retry-After waits until the named reset', async (t) => {
  const h = harness(t, { resilience: resilience({ rate_limit: { headers: { reset_header: 'X-Window-Ends' } } }) });
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 429, {}, { 'x-window-ends': String(Math.floor(h.clock.now() / 1000) + 45) }) : json(res, 200, OK)));
  await sendMany(h, `${server.url}/events`, 1);
  assert.deepEqual(h.clock.sleeps, [45_000]);
  assert.equal(server.requests.length, 2);
});

test('rate_limit.adaptive with limit_header: below 10 % of the limit the time to the reset is spread over the requests left', async (t) => {
  const remaining = [50, 5, 1];
  const adaptive = harness(t, {
    resilience: resilience({ rate_limit: { adaptive: true, headers: { limit_header: 'X-Budget', remaining_header: 'X-Budget-Left', reset_header: 'X-Budget-Reset' } } }),
  });
  const server = await scriptedServer(t, (n, _req, res) =>
    json(res, 200, OK, { 'x-budget': '100', 'x-budget-left': String(remaining[n % 3]), 'x-budget-reset': String(Math.floor(adaptive.clock.now() / 1000) + 50) }),
  );
  await sendMany(adaptive, `${server.url}/events`, 4);
  // 50 left: no pause; 5 left (≤ 10 of 100): 50 s / 5; 1 left: the whole 50 s.
  assert.deepEqual(adaptive.clock.sleeps, [10_000, 50_000]);

  const plain = harness(t, { resilience: resilience({ rate_limit: { headers: { limit_header: 'X-Budget', remaining_header: 'X-Budget-Left', reset_header: 'X-Budget-Reset' } } }) });
  await sendMany(plain, `${server.url}/events`, 4);
  assert.deepEqual(plain.clock.sleeps, [], 'without adaptive only an exhausted quota pauses');
});

test("rate_limit.adaptive without a limit: one request left waits for the reset (the Rust Hel's rule)", async (t) => {
  const h = harness(t, { resilience: resilience({ rate_limit: { adaptive: true, respect_headers: false } }) });
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, OK, { 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '20' }));
  await sendMany(h, `${server.url}/events`, 2);
  assert.deepEqual(h.clock.sleeps, [20_000], 'adaptive works even with respect_headers: false');
});

test('rate_limit.max_requests_per_second and burst_size: a token bucket before every request', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, OK));
  const h = harness(t, { resilience: resilience({ rate_limit: { max_requests_per_second: 2, burst_size: 3 } }) });
  await sendMany(h, `${server.url}/events`, 7);
  assert.equal(server.requests.length, 7);
  assert.deepEqual(h.clock.sleeps, [500, 500, 500, 500], 'a burst of 3, then one every 500 ms');

  const defaultBurst = harness(t, { resilience: resilience({ rate_limit: { max_requests_per_second: 2.5 } }) });
  await sendMany(defaultBurst, `${server.url}/events`, 4);
  assert.deepEqual(defaultBurst.clock.sleeps, [400], 'burst_size defaults to ceil(max_requests_per_second) = 3');
});
