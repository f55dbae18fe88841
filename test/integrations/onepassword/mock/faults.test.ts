import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { isHelError } from '../../../../src/errors.js';
import { parseFaultList, startOnePasswordMock } from '../../../../src/integrations/onepassword/mock/server.js';
import { call, manualClock } from './http.js';

const EVENTS = '/api/v2/auditevents';

void test('status500: the next N requests get 500, then service resumes', async (t) => {
  const mock = await startOnePasswordMock({ events: 3, faults: { status500: 2 } });
  t.after(() => mock.close());
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await call(mock, 'POST', EVENTS, { body: {} })).status);
  assert.deepEqual(statuses, [500, 500, 200]);
  assert.deepEqual(
    mock.requests.map((r) => r.fault),
    ['status500', 'status500', undefined],
  );
});

void test('status429 announces Retry-After in seconds, as a date, or not at all', async (t) => {
  const clock = manualClock(Date.UTC(2026, 2, 2, 12, 0, 0));
  const mock = await startOnePasswordMock({ events: 0, now: clock.now });
  t.after(() => mock.close());
  mock.setFaults({ status429: 1, retryAfterSecs: 7 });
  const seconds = await call(mock, 'POST', EVENTS, { body: {} });
  assert.equal(seconds.status, 429);
  assert.deepEqual(seconds.json, { Error: { Message: 'Too Many Requests' } });
  assert.equal(seconds.headers.get('retry-after'), '7');
  mock.setFaults({ status429: 1, retryAfter: 'date', retryAfterSecs: 30 });
  assert.equal((await call(mock, 'POST', EVENTS, { body: {} })).headers.get('retry-after'), 'Mon, 02 Mar 2026 12:00:30 GMT');
  mock.setFaults({ status429: 1, retryAfter: 'none' });
  const none = await call(mock, 'POST', EVENTS, { body: {} });
  assert.deepEqual([none.status, none.headers.get('retry-after')], [429, null]);
  assert.equal((await call(mock, 'POST', EVENTS, { body: {} })).status, 200);
});

void test('reset destroys the connection without an answer', async (t) => {
  const mock = await startOnePasswordMock({ events: 0, faults: { reset: 1 } });
  t.after(() => mock.close());
  await assert.rejects(call(mock, 'POST', EVENTS, { body: {} }));
  assert.equal((await call(mock, 'POST', EVENTS, { body: {} })).status, 200);
  assert.deepEqual(
    mock.requests.map((r) => [r.status, r.fault]),
    [
      [0, 'reset'],
      [200, undefined],
    ],
  );
});

void test('garbage and empty answer 200 with a body that is not JSON', async (t) => {
  const mock = await startOnePasswordMock({ events: 0, faults: { garbage: 1, empty: 1 } });
  t.after(() => mock.close());
  const garbage = await call(mock, 'POST', EVENTS, { body: {} });
  assert.equal(garbage.status, 200);
  assert.throws(() => JSON.parse(garbage.text) as unknown);
  const empty = await call(mock, 'POST', EVENTS, { body: {} });
  assert.deepEqual([empty.status, empty.text], [200, '']);
  assert.equal((await call(mock, 'POST', EVENTS, { body: {} })).json.has_more, false);
});

void test('slowBodyMs sends headers and half the body, then stalls', async (t) => {
  const mock = await startOnePasswordMock({ events: 5, faults: { slowBodyMs: 600 } });
  t.after(() => mock.close());
  const started = performance.now();
  const res = await request(`${mock.url}${EVENTS}`, { method: 'POST', headers: { authorization: `Bearer ${mock.token}` }, body: '{"start_time":"2020-01-01T00:00:00Z"}' });
  const headersAfter = performance.now() - started;
  assert.equal(res.statusCode, 200);
  const body = (await res.body.json()) as { items: unknown[] };
  const bodyAfter = performance.now() - started;
  assert.equal(body.items.length, 5);
  assert.ok(bodyAfter >= 590, `the body took ${Math.round(bodyAfter)}ms`);
  assert.ok(bodyAfter - headersAfter >= 300, `headers came first, then the body stalled ${Math.round(bodyAfter - headersAfter)}ms`);
  await call(mock, 'POST', EVENTS, { body: {} });
  assert.deepEqual(
    mock.requests.map((r) => r.fault),
    ['slow', undefined],
    'slowCount defaults to one response',
  );
});

void test('a stalled response does not keep close() waiting', async () => {
  const mock = await startOnePasswordMock({ events: 5, faults: { slowBodyMs: 60_000 } });
  const res = await request(`${mock.url}${EVENTS}`, { method: 'POST', headers: { authorization: `Bearer ${mock.token}` }, body: '{}' });
  const reading = res.body.text().catch(() => 'aborted');
  await mock.close();
  assert.equal(await reading, 'aborted');
  await mock.close();
});

void test('the CLI fault list parses into a FaultSpec; bad entries are usage errors', () => {
  assert.deepEqual(parseFaultList('500:3,reset:1,slow:5000,garbage:1,429:2'), { status500: 3, reset: 1, slowBodyMs: 5000, slowCount: 1, garbage: 1, status429: 2 });
  assert.deepEqual(parseFaultList('slow:200x4, empty, retry-after:date'), { slowBodyMs: 200, slowCount: 4, empty: 1, retryAfter: 'date' });
  assert.deepEqual(parseFaultList('retry-after:12'), { retryAfter: 'seconds', retryAfterSecs: 12 });
  for (const bad of ['boom:1', '500:x', '500:0', 'slow', 'slow:abc', 'retry-after:later', '500:1:2']) {
    assert.throws(
      () => parseFaultList(bad),
      (err: unknown) => isHelError(err) && err.code === 'HEL_USAGE',
      bad,
    );
  }
});
