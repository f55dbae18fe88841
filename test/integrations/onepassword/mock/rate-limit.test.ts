import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnePasswordMock, type MockServer } from '../../../../src/integrations/onepassword/mock/server.js';
import { call, manualClock } from './http.js';

async function burst(mock: MockServer, count: number, token = mock.token): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += 50) {
    const batch = Array.from({ length: Math.min(50, count - sent) }, () => call(mock, 'GET', '/api/v2/auth/introspect', { token }));
    statuses.push(...(await Promise.all(batch)).map((r) => r.status));
  }
  return statuses;
}

void test('600 requests a minute pass; the 601st gets 429 until the window slides', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ now: clock.now, events: 0 });
  t.after(() => mock.close());
  assert.ok((await burst(mock, 600)).every((s) => s === 200));
  const limited = await call(mock, 'POST', '/api/v2/auditevents', { body: {} });
  assert.equal(limited.status, 429);
  assert.deepEqual(limited.json, { Error: { Message: 'Too Many Requests' } });
  assert.equal(limited.headers.get('retry-after'), null, 'v1/v2 document no rate-limit headers');
  const otherAccount = await mock.mintToken({ accountUuid: 'VZSYVT2LGHTBWBQGUJAIZVRABM' });
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: otherAccount })).status, 200, 'the limit is per account');
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: await mock.mintToken() })).status, 429, 'shared by the tokens of an account');
  clock.advance(60_001);
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect')).status, 200);
});

void test('the hourly limit applies too, and RateLimit headers are sent when asked', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ now: clock.now, events: 0, rateLimit: { perMinute: 5, perHour: 8 }, rateLimitHeaders: true });
  t.after(() => mock.close());
  const first = await call(mock, 'GET', '/api/v2/auth/introspect');
  assert.equal(first.headers.get('ratelimit-limit'), '5');
  assert.equal(first.headers.get('ratelimit-remaining'), '4');
  assert.equal(first.headers.get('ratelimit-reset'), '60');
  assert.deepEqual(await burst(mock, 5), [200, 200, 200, 200, 429]);
  const minuteLimited = await call(mock, 'GET', '/api/v2/auth/introspect');
  assert.equal(minuteLimited.headers.get('retry-after'), '60');
  clock.advance(61_000);
  assert.deepEqual(
    await burst(mock, 4),
    [200, 200, 200, 200].map((s, i) => (i < 3 ? s : 429)),
  );
  clock.advance(61_000);
  const hourLimited = await call(mock, 'GET', '/api/v2/auth/introspect');
  assert.equal(hourLimited.status, 429);
  assert.equal(hourLimited.headers.get('retry-after'), String(3600 - 122), 'until the oldest request leaves the hour');
  clock.advance(3600_000);
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect')).status, 200);
});

void test('rate limiting can be switched off', async (t) => {
  const mock = await startOnePasswordMock({ events: 0, rateLimit: false, rateLimitHeaders: true });
  t.after(() => mock.close());
  const res = await call(mock, 'GET', '/api/v2/auth/introspect');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('ratelimit-limit'), null);
});
