import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, parseLines, stateOf, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

/** Two pages through the declarative cursor pagination: `next` in the body, `cursor` in the query. */
async function twoPages(t: { after(fn: () => unknown): void }) {
  return fakeApi(t, (req) => {
    const second = req.query.get('cursor') === 'c2';
    return {
      body: {
        items: second
          ? [{ id: 3, at: '2026-11-20T00:00:03Z' }]
          : [
              { id: 1, at: '2026-11-20T00:00:01Z' },
              { id: 2, at: '2026-11-20T00:00:02Z' },
            ],
        next: second ? null : 'c2',
      },
    };
  });
}

const PAGINATION = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'next' };
const AUTH = { type: 'bearer', token_env: 'HOOK_TEST_TOKEN' };

test('buildRequest shapes every page of a declarative pagination; its object replaces the configured auth, null keeps it', async (t) => {
  const dir = tempDir(t);
  const api = await twoPages(t);
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true } },
    sources: {
      shaped: {
        url: `${api.url}/shaped?fixed=1`,
        auth: AUTH,
        pagination: PAGINATION,
        hooks: { script_inline: 'function buildRequest(ctx) { return { headers: { "X-Hook": ctx.sourceId }, query: { limit: "2", cursor: "not-on-later-pages" } }; }' },
      },
      plain: {
        url: `${api.url}/plain`,
        auth: AUTH,
        pagination: PAGINATION,
        hooks: {
          script_inline:
            'function buildRequest(ctx) { return null; }\nfunction parseResponse(ctx, response) { return response.body.items.map(function (e) { return { ts: e.id === 3 ? 1795000000 : e.at, source: ctx.sourceId, event: e, meta: { page: response.body.next || "last" } }; }); }',
        },
      },
    },
  });
  const run = await hel(['run', '--once', '-c', cfg], { env: { HOOK_TEST_TOKEN: 'tok-1' } });
  assert.equal(run.code, 0, run.stderr);
  const shaped = api.on('/shaped');
  assert.deepEqual(
    shaped.map((r) => r.url),
    ['/shaped?fixed=1&limit=2&cursor=not-on-later-pages', '/shaped?fixed=1&cursor=c2&limit=2'],
  );
  assert.deepEqual(
    shaped.map((r) => [r.headers['x-hook'], r.headers.authorization]),
    [
      ['shaped', undefined],
      ['shaped', undefined],
    ],
  );
  const plain = api.on('/plain');
  assert.deepEqual(
    plain.map((r) => [r.url, r.headers.authorization]),
    [
      ['/plain', 'Bearer tok-1'],
      ['/plain?cursor=c2', 'Bearer tok-1'],
    ],
  );
  const lines = parseLines(run.stdout).filter((l) => l.source === 'plain');
  assert.deepEqual(
    lines.map((l) => [l.ts, l.meta]),
    [
      ['2026-11-20T00:00:01Z', { page: 'c2' }],
      ['2026-11-20T00:00:02Z', { page: 'c2' }],
      [new Date(1795000000 * 1000).toISOString(), { page: 'last' }],
    ],
  );
});

test('getAuth credentials join each request: headers, a cookie, query parameters and body fields', async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, () => ({ body: { items: [] } }));
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true } },
    sources: {
      creds: {
        url: `${api.url}/creds`,
        method: 'post',
        body: { filter: 'all' },
        headers: { Cookie: 'lang=en' },
        hooks: { script_inline: 'function getAuth(ctx) { return { headers: { "X-Key": ctx.env.HOOK_KEY }, cookie: "sid=" + ctx.env.HOOK_KEY, query: { tenant: "t1" }, body: { session: "s1" } }; }' },
      },
    },
  });
  const run = await hel(['run', '--once', '-c', cfg], { env: { HOOK_KEY: 'k9' } });
  assert.equal(run.code, 0, run.stderr);
  const [req] = api.requests;
  assert.equal(req?.url, '/creds?tenant=t1');
  assert.equal(req?.headers['x-key'], 'k9');
  assert.equal(req?.headers.cookie, 'lang=en; sid=k9');
  assert.deepEqual(JSON.parse(req?.body ?? ''), { filter: 'all', session: 's1' });
});

test('hooks that would corrupt state or loop are stopped with a clear error: a reserved state key, the same page again, a wrong shape', async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, () => ({ body: { items: [{ id: 1 }] } }));
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'sqlite', path: join(dir, 'state.db') }, hooks: { enabled: true } },
    sources: {
      reserved: { url: `${api.url}/r`, hooks: { script_inline: 'function commitState(ctx, events) { return { events_total: "0", mine: "x" }; }' } },
      again: { url: `${api.url}/a`, hooks: { script_inline: 'function getNextPage(ctx, request, response) { return { url: request.url }; }' } },
      shape: { url: `${api.url}/s`, hooks: { script_inline: 'function parseResponse(ctx, response) { return response.body; }' } },
      toomany: { url: `${api.url}/t`, hooks: { script_inline: 'function commitState(ctx) { var s = {}; for (var i = 0; i <= 100; i++) s["k" + i] = i; return s; }' } },
      toolarge: { url: `${api.url}/l`, hooks: { script_inline: 'function commitState(ctx) { return { big: new Array(70000).join("x") }; }' } },
    },
  });
  const run = await hel(['run', '--once', '-c', cfg]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /reserved: FAILED: hook commitState of reserved\.inline\.js returned the state key events_total, which Hel keeps itself — see docs\/hooks\.md for what each hook returns/);
  assert.match(
    run.stderr,
    /again: FAILED: getNextPage returned the request that fetched this page; following it would fetch the same page forever \(http:\/\/127\.0\.0\.1:\d+\/a\) — return a new url or body/,
  );
  assert.match(run.stderr, /shape: FAILED: hook parseResponse of shape\.inline\.js returned something other than an array of \{ts, source, event, meta\?\}/);
  assert.match(run.stderr, /toomany: FAILED: hook commitState of toomany\.inline\.js returned 101 state keys; at most 100/);
  assert.match(run.stderr, /toolarge: FAILED: hook commitState of toolarge\.inline\.js returned 70002 bytes of state; at most 65536/);
  assert.equal(run.stdout, '');
  assert.equal((await stateOf(join(dir, 'state.db'))).reserved?.mine, undefined);
});

test('getNextPage is followed for at most 100 pages a poll when the source sets no max_pages', async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, (req) => ({ body: { items: [{ id: Number(req.query.get('page') ?? 0) }] } }));
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true } },
    sources: {
      endless: {
        url: `${api.url}/e`,
        hooks: { script_inline: 'function getNextPage(ctx, request, response) { var u = request.url.split("?page="); return { url: u[0] + "?page=" + (Number(u[1] || 0) + 1) }; }' },
      },
    },
  });
  const run = await hel(['run', '--once', '-c', cfg]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests.length, 100);
  assert.match(run.stderr, /endless: ok, 100 pages, 100 events \(max pages \(100\) reached; commitState decides where the next poll starts\)/);
});

test("hooks get Helr's ctx, request and response shapes", async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, (req) => ({ headers: { link: '<x>; rel="next"' }, body: req.query.get('p') === '2' ? { items: [] } : { items: [{ id: 1 }], cursor: 'k1' } }));
  const script = `
function getNextPage(ctx, request, response) {
  if (request.url.indexOf("p=2") >= 0) return null;
  console.log(JSON.stringify({ request: request, status: response.status, link: response.headers.link, body: response.body }));
  return { url: request.url.split("?")[0] + "?p=2", body: { page: 2 } };
}
function commitState(ctx, events) {
  return { seen: JSON.stringify({ ctx: ctx, events: events }) };
}`;
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'sqlite', path: join(dir, 'state.db') }, hooks: { enabled: true } },
    sources: { shapes: { url: `${api.url}/s`, method: 'post', body: { page: 1 }, headers: { 'User-Agent': 'hel-test' }, hooks: { script_inline: script } } },
  });
  const run = await hel(['run', '--once', '-c', cfg], { env: { HOOK_VISIBLE: 'yes', HEL_LOG_LEVEL: 'info' } });
  assert.equal(run.code, 0, run.stderr);
  const logged = run.stderr
    .split('\n')
    .filter((l) => l.includes('hook_console'))
    .map((l) => JSON.parse((JSON.parse(l) as { hook_console: string }).hook_console) as unknown);
  assert.deepEqual(logged, [{ request: { url: `${api.url}/s`, method: 'POST', body: { page: 1 } }, status: 200, link: '<x>; rel="next"', body: { items: [{ id: 1 }], cursor: 'k1' } }]);
  const seen = JSON.parse(String((await stateOf(join(dir, 'state.db'))).shapes?.seen)) as { ctx: Record<string, unknown>; events: unknown[] };
  assert.equal((seen.ctx.env as Record<string, string>).HOOK_VISIBLE, 'yes');
  assert.match(String(seen.ctx.requestId), /^[0-9a-f-]{36}$/);
  assert.equal(seen.ctx.sourceId, 'shapes');
  assert.deepEqual(seen.ctx.headers, { 'User-Agent': 'hel-test' });
  assert.deepEqual(seen.ctx.pagination, {});
  // The second page's commitState sees what the first page committed.
  assert.equal(typeof (seen.ctx.state as Record<string, string>).seen, 'string');
  assert.deepEqual(seen.events, []);
});

test('a 2xx body that is not JSON reaches parseResponse as text, without retries', async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, () => ({ headers: { 'content-type': 'text/csv' }, raw: 'id,at\n7,2026-11-20T00:00:07Z\n8,2026-11-20T00:00:08Z\n' }));
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true } },
    sources: {
      csv: {
        url: `${api.url}/export.csv`,
        hooks: {
          script_inline:
            'function parseResponse(ctx, response) { return response.body.trim().split("\\n").slice(1).map(function (row) { var f = row.split(","); return { ts: f[1], event: { id: f[0] } }; }); }',
        },
      },
    },
  });
  const run = await hel(['run', '--once', '-c', cfg]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests.length, 1);
  assert.deepEqual(
    parseLines(run.stdout).map((l) => [l.ts, l.event]),
    [
      ['2026-11-20T00:00:07Z', { id: '7' }],
      ['2026-11-20T00:00:08Z', { id: '8' }],
    ],
  );
});
