import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnePasswordMock } from '../../../../src/integrations/onepassword/mock/server.js';
import { BAD_REQUEST, call, drain, events, manualClock } from './http.js';

const HOUR = 3_600_000;
const OLD_START = { start_time: '2020-01-01T00:00:00Z' };

function timeOf(item: Record<string, unknown>): number {
  return Date.parse(item.timestamp as string);
}

void test('a ResetCursor without start_time returns only the last hour', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ seed: 'window', now: clock.now, events: 480 });
  t.after(() => mock.close());
  const all = await drain(mock, '/api/v2/auditevents', { ...OLD_START, limit: 1000 });
  const expected = all.items.filter((item) => timeOf(item) >= clock.now() - HOUR);
  assert.ok(expected.length > 0 && expected.length < all.items.length);
  for (const body of [{}, { limit: 1000 }]) {
    const lastHour = await drain(mock, '/api/v2/auditevents', body);
    assert.deepEqual(
      lastHour.items.map((i) => i.uuid),
      expected.map((i) => i.uuid),
    );
  }
  const windowEnd = clock.now() - 10 * HOUR;
  const bounded = await drain(mock, '/api/v2/auditevents', { end_time: new Date(windowEnd).toISOString() });
  assert.ok(bounded.items.length > 0);
  assert.ok(
    bounded.items.every((i) => timeOf(i) >= windowEnd - HOUR && timeOf(i) < windowEnd),
    'start defaults to one hour before end_time',
  );
});

void test('a backfill from an old start_time walks every page; full pages say has_more; the end echoes the cursor', async (t) => {
  const mock = await startOnePasswordMock({ seed: 'backfill', events: 200 });
  t.after(() => mock.close());
  const { items, pages, cursor } = await drain(mock, '/api/v1/signinattempts', { ...OLD_START, limit: 50 });
  assert.equal(items.length, 200);
  assert.equal(new Set(items.map((i) => i.uuid)).size, 200);
  assert.deepEqual(
    pages.map((p) => [p.items.length, p.has_more]),
    [
      [50, true],
      [50, true],
      [50, true],
      [50, true],
      [0, false],
    ],
  );
  assert.equal(cursor, pages[3]?.cursor, 'an empty continuation echoes the request cursor');
  const again = await events(mock, '/api/v1/signinattempts', { cursor });
  assert.deepEqual(again, { items: [], cursor, has_more: false });
  const replay = await events(mock, '/api/v1/signinattempts', { cursor: pages[0]?.cursor });
  assert.deepEqual(replay, pages[1], 'an old cursor replays the same page');
});

void test('lookahead mode says has_more only when more events exist', async (t) => {
  const mock = await startOnePasswordMock({ seed: 'backfill', events: 100, hasMore: 'lookahead' });
  t.after(() => mock.close());
  const { pages } = await drain(mock, '/api/v2/itemusages', { ...OLD_START, limit: 50 });
  assert.deepEqual(
    pages.map((p) => [p.items.length, p.has_more]),
    [
      [50, true],
      [50, false],
    ],
  );
});

void test('new events reach a persisted cursor; an end_time closes it', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ now: clock.now, events: 20 });
  t.after(() => mock.close());
  const open = await drain(mock, '/api/v2/auditevents', OLD_START);
  const closed = await drain(mock, '/api/v2/auditevents', { ...OLD_START, end_time: new Date(clock.now() + 1000).toISOString() });
  clock.advance(60_000);
  assert.equal(open.items.length, 20);
  assert.equal(closed.items.length, 20);
  mock.append('auditevents', [{ action: 'suspend', object_type: 'user' }]);
  mock.append('auditevents', 2);
  const next = await events(mock, '/api/v2/auditevents', { cursor: open.cursor });
  assert.equal(next.items.length, 3);
  assert.equal(next.items[0]?.action, 'suspend');
  assert.notEqual(next.cursor, open.cursor);
  assert.equal(next.has_more, false);
  const bounded = await events(mock, '/api/v2/auditevents', { cursor: closed.cursor });
  assert.equal(bounded.items.length, 0, 'events after end_time never come');
});

void test('a late item usage appears on a persisted cursor but not in a sliding time window', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ seed: 'late', now: clock.now, events: 30 });
  t.after(() => mock.close());
  const persisted = await drain(mock, '/api/v2/itemusages', OLD_START);
  clock.advance(5 * 60_000);
  const windowStart = new Date(clock.now() - 60_000).toISOString();
  mock.append('itemusages', [{ action: 'reveal' }], { lateMinutes: 30 });
  const late = await events(mock, '/api/v2/itemusages', { cursor: persisted.cursor });
  assert.equal(late.items.length, 1);
  assert.equal(late.items[0]?.action, 'reveal');
  assert.equal(timeOf(late.items[0] ?? {}), clock.now() - 30 * 60_000, 'the timestamp is when it happened, not when it synced');
  const window = await drain(mock, '/api/v2/itemusages', { start_time: windowStart, end_time: new Date(clock.now()).toISOString() });
  assert.equal(window.items.length, 0, 'a time window that moved past the timestamp misses it');
});

void test('a ResetCursor filters on start_time, but events ingested after it are delivered even if older', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ now: clock.now, events: 48 });
  t.after(() => mock.close());
  const first = await drain(mock, '/api/v2/itemusages', { start_time: new Date(clock.now() - 2 * HOUR).toISOString() });
  assert.ok(first.items.every((i) => timeOf(i) >= clock.now() - 2 * HOUR));
  mock.append('itemusages', 1, { lateMinutes: 600 });
  const next = await events(mock, '/api/v2/itemusages', { cursor: first.cursor });
  assert.equal(next.items.length, 1);
});

void test('limit: 1-1000, 0 or missing means 100; anything else is 400', async (t) => {
  const mock = await startOnePasswordMock({ events: 150 });
  t.after(() => mock.close());
  assert.equal((await events(mock, '/api/v2/auditevents', { ...OLD_START, limit: 0 })).items.length, 100);
  assert.equal((await events(mock, '/api/v2/auditevents', OLD_START)).items.length, 100);
  assert.equal((await events(mock, '/api/v2/auditevents', { ...OLD_START, limit: 1000 })).items.length, 150);
  for (const limit of [1001, -1, 1.5, '10', true]) {
    const res = await call(mock, 'POST', '/api/v2/auditevents', { body: { limit } });
    assert.equal(res.status, 400, JSON.stringify(limit));
    assert.deepEqual(res.json, BAD_REQUEST);
  }
});

void test('times: RFC 3339 with any offset and up to nanoseconds; others and start after end are 400', async (t) => {
  const clock = manualClock(Date.UTC(2026, 2, 2, 12));
  const mock = await startOnePasswordMock({ now: clock.now, events: 10 });
  t.after(() => mock.close());
  for (const start_time of ['2026-03-01T09:32:50-03:00', '2026-03-01T12:00:00.000000Z', '2026-03-01T12:00:00.987Z', '2026-03-01T12:00:00+00:00', '2026-03-01T12:00:00.123456789Z']) {
    assert.equal((await call(mock, 'POST', '/api/v2/auditevents', { body: { start_time } })).status, 200, start_time);
  }
  for (const body of [
    { start_time: '2026-03-01' },
    { start_time: '2026-03-01 12:00:00' },
    { end_time: '2026-02-30T00:00:00Z' },
    { start_time: 1700000000 },
    { start_time: '2026-03-02T00:00:00Z', end_time: '2026-03-01T00:00:00Z' },
  ]) {
    assert.equal((await call(mock, 'POST', '/api/v2/auditevents', { body })).status, 400, JSON.stringify(body));
  }
  const future = await events(mock, '/api/v2/auditevents', { start_time: '2027-01-01T00:00:00Z' });
  assert.deepEqual([future.items.length, future.has_more, typeof future.cursor], [0, false, 'string']);
});

void test('garbage, tampered and foreign cursors are 400 Bad Request', async (t) => {
  const mock = await startOnePasswordMock({ events: 10 });
  t.after(() => mock.close());
  const page = await events(mock, '/api/v2/auditevents', { ...OLD_START, limit: 2 });
  const [payload, mac] = page.cursor.split('.') as [string, string];
  const json = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forged = `${Buffer.from(JSON.stringify({ ...json, seq: 0 })).toString('base64url')}.${mac}`;
  for (const cursor of ['aGVsbG8hIGlzIGl0IG1lIHlvdSBhcmUgbG9va2luZyBmb3IK', 'x.y.z', forged, 42]) {
    const res = await call(mock, 'POST', '/api/v2/auditevents', { body: { cursor } });
    assert.equal(res.status, 400, String(cursor));
    assert.deepEqual(res.json, BAD_REQUEST);
  }
  assert.equal((await call(mock, 'POST', '/api/v2/signinattempts', { body: { cursor: page.cursor } })).status, 400, 'cursor of another stream');
  const otherAccount = await mock.mintToken({ accountUuid: 'VZSYVT2LGHTBWBQGUJAIZVRABM' });
  assert.equal((await call(mock, 'POST', '/api/v2/auditevents', { body: { cursor: page.cursor }, token: otherAccount })).status, 400, 'cursor of another account');
  assert.equal((await call(mock, 'POST', '/api/v1/auditevents', { body: { cursor: page.cursor } })).status, 200, 'v1 and v2 share the stream');
});

void test('a cursor wins over ResetCursor fields, unless strict', async (t) => {
  const lax = await startOnePasswordMock({ seed: 's', events: 10 });
  const strict = await startOnePasswordMock({ seed: 's', events: 10, strict: true });
  t.after(() => Promise.all([lax.close(), strict.close()]));
  for (const mock of [lax, strict]) {
    const page = await events(mock, '/api/v2/auditevents', { ...OLD_START, limit: 3 });
    const res = await call(mock, 'POST', '/api/v2/auditevents', { body: { cursor: page.cursor, limit: 1000 } });
    if (mock === strict) assert.equal(res.status, 400);
    else assert.equal((res.json.items as unknown[]).length, 3, 'the limit inside the cursor applies');
  }
});

void test('events older than the retention window are hidden', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ now: clock.now, events: 200, spreadHours: 24 * 240 });
  t.after(() => mock.close());
  const { items } = await drain(mock, '/api/v2/auditevents', { ...OLD_START, limit: 1000 });
  assert.ok(items.length > 60 && items.length < 140, `about half of 240 days is retained, got ${items.length}`);
  assert.ok(items.every((i) => timeOf(i) >= clock.now() - 120 * 24 * HOUR));
});

void test('live growth appends events as the injected clock moves', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ now: clock.now, events: 0, liveEventsPerMinute: 2 });
  t.after(() => mock.close());
  const start = await drain(mock, '/api/v2/signinattempts', {});
  assert.equal(start.items.length, 0);
  clock.advance(5 * 60_000);
  const later = await drain(mock, '/api/v2/signinattempts', { cursor: start.cursor });
  assert.equal(later.items.length, 10);
});
