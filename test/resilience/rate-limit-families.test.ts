import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HelError } from '../../src/errors.js';
import { resilience } from '../helpers/resilience-config.js';
import { context, harness, thrown } from '../helpers/transport-harness.js';
import { json, scriptedServer } from '../helpers/loopback.js';

const OK = { items: [] };
const get = (url: string) => ({ method: 'GET' as const, url, headers: {} });

test("Okta's X-Rate-Limit-Remaining: 0 (extra hyphen) pauses the next request until X-Rate-Limit-Reset (Unix seconds)", async (t) => {
  const h = harness(t);
  const reset = String(Math.floor(h.clock.now() / 1000) + 37);
  const server = await scriptedServer(t, (n, _req, res) => json(res, 200, OK, n === 0 ? { 'x-rate-limit-limit': '60', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset } : {}));
  await h.transport.send(get(`${server.url}/api/v1/logs`), context());
  await h.transport.send(get(`${server.url}/api/v1/logs`), context());
  assert.deepEqual(h.clock.sleeps, [37_000]);
});

test('a 429 without Retry-After (Okta E0000047) waits for X-Rate-Limit-Reset and does not use up an attempt', async (t) => {
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 1 } }) });
  const reset = String(Math.floor(h.clock.now() / 1000) + 20);
  const server = await scriptedServer(t, (n, _req, res) =>
    n < 3
      ? json(res, 429, { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' }, { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset })
      : json(res, 200, OK),
  );
  const response = await h.transport.send(get(`${server.url}/api/v1/logs`), context());
  assert.equal(response.status, 200);
  assert.equal(server.requests.length, 4, 'three paced waits, with max_attempts: 1');
  assert.equal(h.clock.sleeps[0], 20_000);
});

test('the IETF RateLimit field ("policy";r=0;t=N) and RateLimit-Policy pause until the reset', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => json(res, 200, OK, n === 0 ? { ratelimit: '"default";r=0;t=25', 'ratelimit-policy': '"default";q=100;w=60' } : {}));
  const h = harness(t);
  await h.transport.send(get(server.url), context());
  await h.transport.send(get(server.url), context());
  assert.deepEqual(h.clock.sleeps, [25_000]);
});

test("GitHub's primary limit: 403 with x-ratelimit-remaining: 0 waits for x-ratelimit-reset and is not a permissions error", async (t) => {
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 1 } }) });
  const reset = String(Math.floor(h.clock.now() / 1000) + 90);
  const server = await scriptedServer(t, (n, _req, res) =>
    n === 0
      ? json(
          res,
          403,
          { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
          { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
        )
      : json(res, 200, []),
  );
  const response = await h.transport.send(get(`${server.url}/orgs/acme/audit-log`), context());
  assert.equal(response.status, 200);
  assert.deepEqual(h.clock.sleeps, [90_000]);
  assert.match(h.retries[0]!.reason, /HTTP 403 Forbidden \("API rate limit exceeded/);
});

test("GitHub's secondary limit: 403 with retry-after is retried after it", async (t) => {
  const server = await scriptedServer(t, (n, _req, res) =>
    n === 0 ? json(res, 403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '61' }) : json(res, 200, []),
  );
  const h = harness(t);
  assert.equal((await h.transport.send(get(server.url), context())).status, 200);
  assert.deepEqual(h.clock.sleeps, [61_000]);
});

test('a secondary limit with no header waits at least a minute; given up, its hint is about the rate, not permissions', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 403, { message: 'You have exceeded a secondary rate limit.' }));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 2 } }) });
  const err = (await thrown(() => h.transport.send(get(server.url), context()))) as HelError;
  assert.equal(err.context.status, 403);
  assert.deepEqual(h.clock.sleeps, [60_000]);
  assert.match(err.context.hint ?? '', /rate limited/);
  assert.doesNotMatch(err.context.hint ?? '', /permission|scope/);
});

test('a plain 403 is still a refusal: not retried, the hint names permissions', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 403, { message: 'Must have admin rights to Repository.' }));
  const h = harness(t);
  const err = (await thrown(() => h.transport.send(get(server.url), context()))) as HelError;
  assert.equal(server.requests.length, 1);
  assert.match(err.context.hint ?? '', /permissions or scopes/);
});
