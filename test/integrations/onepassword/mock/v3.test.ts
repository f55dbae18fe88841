import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnePasswordMock } from '../../../../src/integrations/onepassword/mock/server.js';
import { call, drain } from './http.js';

// Issue 18 item 4: the v3 beta endpoint of the mock — GET, max_page_size / page_token, and
// start_time/end_time as exclusive bounds on the insertion time (reference §14).

const OLD = '2020-01-01T00:00:00Z';
type V3Page = { audit_events: Record<string, unknown>[]; next_page_token?: string };

async function walk(mock: Awaited<ReturnType<typeof startOnePasswordMock>>, first: string): Promise<{ events: Record<string, unknown>[]; pages: number }> {
  const events: Record<string, unknown>[] = [];
  let path: string | undefined = first;
  let pages = 0;
  while (path) {
    const res = await call(mock, 'GET', path);
    assert.equal(res.status, 200, res.text);
    const page = res.json as V3Page;
    events.push(...page.audit_events);
    pages++;
    path = page.next_page_token === undefined ? undefined : `/api/v3/auditevents?page_token=${encodeURIComponent(page.next_page_token)}`;
  }
  return { events, pages };
}

void test('v3 pages with max_page_size and page_token over the same audit events as v2, in insertion order', async (t) => {
  const mock = await startOnePasswordMock({ seed: 'v3', events: 230 });
  t.after(() => mock.close());
  const { events, pages } = await walk(mock, `/api/v3/auditevents?max_page_size=50&start_time=${OLD}`);
  assert.equal(pages, 5);
  assert.equal(events.length, 230);
  const v2 = (await drain(mock, '/api/v2/auditevents', { start_time: OLD, limit: 1000 })).items;
  assert.deepEqual(new Set(events.map((e) => e.uuid)), new Set(v2.map((e) => e.uuid)));
  const inserted = events.map((e) => String(e.insert_time));
  assert.deepEqual(
    [...inserted].sort((a, b) => Date.parse(a) - Date.parse(b) || a.localeCompare(b)),
    inserted,
    'ascending insertion time',
  );
  assert.equal(new Set(inserted).size, inserted.length, 'no two events share an insertion time');
  const sample = events[0]!;
  assert.deepEqual(Object.keys(sample).sort(), ['action', 'actor', 'context', 'insert_time', 'targets', 'timestamp', 'uuid']);
  assert.match(String(sample.action), /^[a-z-]+(\.[a-z-]+)*\.[a-z]+$/, 'target.attribute.verb');
  assert.ok(Array.isArray(sample.targets));
});

void test('a restart with start_time = the last insert_time returns exactly the rest (exclusive bound)', async (t) => {
  const mock = await startOnePasswordMock({ seed: 'v3-restart', events: 120 });
  t.after(() => mock.close());
  const first = await call(mock, 'GET', `/api/v3/auditevents?max_page_size=40&start_time=${OLD}`);
  const page = first.json as V3Page;
  const last = String(page.audit_events[39]?.insert_time);
  const rest = await walk(mock, `/api/v3/auditevents?max_page_size=1000&start_time=${encodeURIComponent(last)}`);
  assert.equal(rest.events.length, 80);
  assert.ok(!rest.events.some((e) => page.audit_events.some((p) => p.uuid === e.uuid)), 'nothing twice');
  const bounded = await walk(mock, `/api/v3/auditevents?start_time=${OLD}&end_time=${encodeURIComponent(last)}&max_page_size=1000`);
  assert.equal(bounded.events.length, 39, 'end_time is exclusive too');
});

void test('v3 errors: page_token with start_time, a tampered token, POST, a token without auditevents; RateLimit headers are sent', async (t) => {
  const mock = await startOnePasswordMock({ seed: 'v3-errors', events: 30 });
  t.after(() => mock.close());
  const ok = await call(mock, 'GET', `/api/v3/auditevents?max_page_size=10&start_time=${OLD}`);
  assert.equal(ok.headers.get('ratelimit-limit'), '600');
  const token = String((ok.json as V3Page).next_page_token);
  assert.equal((await call(mock, 'GET', `/api/v3/auditevents?page_token=${token}&start_time=${OLD}`)).status, 400);
  assert.equal((await call(mock, 'GET', `/api/v3/auditevents?page_token=${token.slice(0, -3)}AAA`)).status, 400);
  assert.equal((await call(mock, 'GET', '/api/v3/auditevents?max_page_size=1001')).status, 400);
  assert.equal((await call(mock, 'POST', '/api/v3/auditevents', { body: {} })).status, 405);
  const noAudit = await mock.mintToken({ features: ['itemusages'] });
  assert.equal((await call(mock, 'GET', '/api/v3/auditevents', { token: noAudit })).status, 401);
});
