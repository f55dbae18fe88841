import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cursorFeed, cursorsSent, fakeApi, makeEvents, type FakeApi, type Handler, type Reply } from '../helpers/fake-api.js';
import { cleanupScope, hel, parseLines, writeConfig, type Line } from '../helpers/hel-process.js';
import type { CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const five = makeEvents(5);
const seven = makeEvents(7);
const six = makeEvents(6);
const plain = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ id: `${tag}-${i}` }));

/** Pages of 2 of `five`, by a `page` query parameter, linked with a Link header built by `link`. */
function linkFeed(link: (page: number) => string): Handler {
  return (req) => {
    const page = Number(req.query.get('page') ?? '1');
    const items = five.slice((page - 1) * 2, page * 2);
    const headers: Record<string, string> = page < 3 ? { link: link(page + 1) } : {};
    return { body: items, headers };
  };
}

function routes(base: () => string): Handler {
  const table: Record<string, Handler> = {
    '/cursor-get': cursorFeed(five, 2),
    '/cursor-merge': cursorFeed(five, 2),
    '/cursor-replace': cursorFeed(five, 2),
    '/link-abs': linkFeed((p) => `<${base()}/link-abs?page=${p - 2}>; rel="prev", <${base()}/link-abs?page=${p}>; rel="next"`),
    '/link-rel': linkFeed((p) => `</link-rel?page=${p}>; rel=next`),
    '/next-url': (req) => {
      const after = Number(req.query.get('after') ?? '0');
      const data = five.slice(after, after + 2);
      const next = after + 2 < five.length ? `/next-url?after=${after + 2}` : null;
      return { body: { data, paging: { next } } };
    },
    '/page': (req) => {
      const page = Number(req.query.get('page'));
      const limit = Number(req.query.get('limit'));
      return { body: { items: seven.slice((page - 1) * limit, page * limit) } };
    },
    '/offset': (req) => {
      const offset = Number(req.query.get('offset'));
      const limit = Number(req.query.get('limit'));
      return { body: { events: six.slice(offset, offset + limit) } };
    },
    '/none': () => ({ body: plain(2, 'none') }),
    '/events-path': () => ({ body: { items: 'not these', result: { records: plain(3, 'deep') } } }),
    '/default-items': () => ({ body: { count: 1, items: plain(1, 'items') } }),
    '/default-data': () => ({ body: { data: plain(1, 'data') } }),
    '/default-events': () => ({ body: { events: plain(1, 'events') } }),
    '/default-logs': () => ({ body: { logs: plain(1, 'logs') } }),
    '/default-entries': () => ({ body: { entries: plain(1, 'entries') } }),
    '/default-results': () => ({ body: { results: plain(1, 'results') } }),
    '/default-first': () => ({ body: { data: plain(1, 'data-wins'), items: plain(1, 'items-wins') } }),
    '/labelled': () => ({ body: [{ id: 'l1', published: '2026-02-03T04:05:06Z' }] }),
  };
  return (req): Reply | Promise<Reply> => table[req.path]?.(req) ?? { status: 404, body: { error: 'no route' } };
}

function sources(url: string): Record<string, unknown> {
  const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };
  const simple = (path: string, extra: Record<string, unknown> = {}) => ({ url: `${url}${path}`, ...extra });
  return {
    'cursor-get': simple('/cursor-get', { pagination: cursor }),
    'cursor-merge': simple('/cursor-merge', { method: 'post', body: { limit: 2, filter: { type: 'all' } }, pagination: { ...cursor, cursor_in_body: 'merge' } }),
    'cursor-replace': simple('/cursor-replace', { method: 'post', body: { limit: 2, start_time: '2026-01-01T00:00:00Z' }, pagination: { ...cursor, cursor_in_body: 'replace' } }),
    'link-abs': simple('/link-abs', { pagination: { strategy: 'link_header' } }),
    'link-rel': simple('/link-rel', { pagination: { strategy: 'link_header' } }),
    'next-url': simple('/next-url', { pagination: { strategy: 'next_url', next_url_path: 'paging.next' } }),
    page: simple('/page', { pagination: { strategy: 'page', limit: 3 } }),
    offset: simple('/offset', { pagination: { strategy: 'offset', limit: 3 } }),
    none: simple('/none'),
    'events-path': simple('/events-path', { response_events_path: 'result.records' }),
    'default-items': simple('/default-items'),
    'default-data': simple('/default-data'),
    'default-events': simple('/default-events'),
    'default-logs': simple('/default-logs'),
    'default-entries': simple('/default-entries'),
    'default-results': simple('/default-results'),
    'default-first': simple('/default-first'),
    labelled: simple('/labelled', { source_label_key: 'producer', source_label_value: 'okta-prod' }),
  };
}

describe('hel run --once: every pagination strategy against a loopback API', () => {
  let api: FakeApi;
  let run: CliResult;
  let lines: Line[];
  const of = (label: string) => lines.filter((l) => l.source === label);
  const ids = (label: string) => of(label).map((l) => (l.event.uuid ?? l.event.id) as string);

  const t = cleanupScope();
  after(() => t.run());

  before(async () => {
    let base = '';
    api = await fakeApi(
      t,
      routes(() => base),
    );
    base = api.url;
    const dir = tempDir(t);
    const config = writeConfig(dir, { global: { log_level: 'warn' }, sources: sources(api.url) });
    run = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`]);
    assert.equal(run.code, 0, run.stderr);
    lines = parseLines(run.stdout);
  });

  it('cursor with GET sends the cursor as a query parameter until has_more is false', () => {
    assert.deepEqual(cursorsSent(api.on('/cursor-get')), [undefined, 'c000002', 'c000004']);
    assert.ok(api.on('/cursor-get').every((r) => r.method === 'GET' && r.body === ''));
    assert.deepEqual(
      ids('cursor-get'),
      five.map((e) => e.uuid),
    );
  });

  it('cursor with POST, cursor_in_body: merge, keeps the configured body fields', () => {
    assert.deepEqual(
      api.on('/cursor-merge').map((r) => r.body),
      ['{"limit":2,"filter":{"type":"all"}}', '{"limit":2,"filter":{"type":"all"},"cursor":"c000002"}', '{"limit":2,"filter":{"type":"all"},"cursor":"c000004"}'],
    );
    assert.ok(api.on('/cursor-merge').every((r) => r.headers['content-type'] === 'application/json'));
    assert.deepEqual(
      ids('cursor-merge'),
      five.map((e) => e.uuid),
    );
  });

  it('cursor with POST, cursor_in_body: replace, sends {cursor} alone after the first page', () => {
    assert.deepEqual(
      api.on('/cursor-replace').map((r) => r.body),
      ['{"limit":2,"start_time":"2026-01-01T00:00:00Z"}', '{"cursor":"c000002"}', '{"cursor":"c000004"}'],
    );
    assert.deepEqual(
      ids('cursor-replace'),
      five.map((e) => e.uuid),
    );
  });

  it('link_header follows absolute and relative rel="next" links (other rels ignored)', () => {
    assert.deepEqual(
      api.on('/link-abs').map((r) => r.url),
      ['/link-abs', '/link-abs?page=2', '/link-abs?page=3'],
    );
    assert.deepEqual(
      api.on('/link-rel').map((r) => r.url),
      ['/link-rel', '/link-rel?page=2', '/link-rel?page=3'],
    );
    assert.deepEqual(
      ids('link-abs'),
      five.map((e) => e.uuid),
    );
    assert.deepEqual(
      ids('link-rel'),
      five.map((e) => e.uuid),
    );
  });

  it('next_url follows the relative URL in the body until it is null', () => {
    assert.deepEqual(
      api.on('/next-url').map((r) => r.url),
      ['/next-url', '/next-url?after=2', '/next-url?after=4'],
    );
    assert.deepEqual(
      ids('next-url'),
      five.map((e) => e.uuid),
    );
  });

  it('page stops on a short page', () => {
    assert.deepEqual(
      api.on('/page').map((r) => r.url),
      ['/page?page=1&limit=3', '/page?page=2&limit=3', '/page?page=3&limit=3'],
    );
    assert.deepEqual(
      ids('page'),
      seven.map((e) => e.uuid),
    );
  });

  it('offset advances by limit and stops on an empty page', () => {
    assert.deepEqual(
      api.on('/offset').map((r) => r.url),
      ['/offset?offset=0&limit=3', '/offset?offset=3&limit=3', '/offset?offset=6&limit=3'],
    );
    assert.deepEqual(
      ids('offset'),
      six.map((e) => e.uuid),
    );
  });

  it('none makes exactly one request and reads a top-level array', () => {
    assert.equal(api.on('/none').length, 1);
    assert.deepEqual(ids('none'), ['none-0', 'none-1']);
  });

  it('response_events_path picks the nested array, not the default key', () => {
    assert.deepEqual(ids('events-path'), ['deep-0', 'deep-1', 'deep-2']);
  });

  it('without response_events_path the array is found under items, data, events, logs, entries, results', () => {
    for (const key of ['items', 'data', 'events', 'logs', 'entries', 'results']) assert.deepEqual(ids(`default-${key}`), [`${key}-0`], key);
    assert.deepEqual(ids('default-first'), ['items-wins-0'], 'items is looked up before data');
  });

  it('writes the envelope {"ts","source","endpoint","event","meta"}, in that order', () => {
    const line = of('cursor-get')[0]!;
    assert.deepEqual(Object.keys(line), ['ts', 'source', 'endpoint', 'event', 'meta']);
    assert.deepEqual(line, { ts: five[0]!.timestamp, source: 'cursor-get', endpoint: '/cursor-get', event: five[0], meta: {} });
    const undated = of('none')[0]!;
    assert.ok(Math.abs(Date.parse(undated.ts) - Date.now()) < 60_000, 'an event without a time gets the collection time');
    assert.equal(lines.length, 5 * 6 + 7 + 6 + 2 + 3 + 7 + 1);
  });

  it('source_label_key / source_label_value replace the label', () => {
    const line = lines.find((l) => l.producer === 'okta-prod')!;
    assert.deepEqual(Object.keys(line), ['ts', 'producer', 'endpoint', 'event', 'meta']);
    assert.equal(line.ts, '2026-02-03T04:05:06Z');
    assert.equal(line.source, undefined);
  });
});

describe('hel run --once --source, and output.format: raw', () => {
  it('polls only the named sources and writes raw events with the label', async (t) => {
    let base = '';
    const api = await fakeApi(
      t,
      routes(() => base),
    );
    base = api.url;
    const dir = tempDir(t);
    const config = writeConfig(dir, { global: { output: { format: 'raw' }, source_label_key: 'collector' }, sources: sources(api.url) });
    const run = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`, '--source', 'cursor-get', '--source', 'none']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual([...new Set(api.requests.map((r) => r.path))].sort(), ['/cursor-get', '/none']);
    const out = parseLines(run.stdout);
    assert.deepEqual(out[0], { ...five[0], collector: 'cursor-get' });
    assert.deepEqual(
      out.filter((l) => l.collector === 'none'),
      [
        { id: 'none-0', collector: 'none' },
        { id: 'none-1', collector: 'none' },
      ],
    );
    assert.equal(out.length, 7);
  });

  it('an unknown --source fails with the list of sources', async (t) => {
    const dir = tempDir(t);
    const config = writeConfig(dir, { sources: { a: { url: 'http://127.0.0.1:9/a' } } });
    const run = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`, '--source', 'nope']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /no source named nope/);
  });
});
