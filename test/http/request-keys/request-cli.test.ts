import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fakeApi, type FakeApi, type Handler } from '../../helpers/fake-api.js';
import { cleanupScope, hel, parseLines, writeConfig, type Line } from '../../helpers/hel-process.js';
import type { CliResult } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const events = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${tag}-${i}` }));

const routes: Record<string, Handler> = {
  '/list-body': () => ({ body: events('list', 1) }),
  '/string-body': () => ({ body: events('string', 1) }),
  '/get-body': () => ({ body: events('get', 1) }),
  // Seven events, pages of 3 by a 1-based page number.
  '/page-offset': (req) => {
    const page = Number(req.query.get('p'));
    const size = Number(req.query.get('n'));
    return { body: { items: events('po', 7).slice((page - 1) * size, page * size) } };
  },
  '/query-cursor': (req) => {
    const at = Number(req.query.get('cursor') ?? '0');
    return { body: { items: events('qc', 5).slice(at, at + 2), next: at + 2 < 5 ? String(at + 2) : null, has_more: at + 2 < 5 } };
  },
  '/query-link': (req) => {
    const page = Number(req.query.get('page') ?? '1');
    // The server's next link carries its own parameters: Hel follows it exactly as given.
    const headers: Record<string, string> = page < 3 ? { link: `</query-link?page=${page + 1}&filter=server-kept>; rel="next"` } : {};
    return { body: events(`ql${page}`, 1), headers };
  },
};

function sources(url: string): Record<string, unknown> {
  return {
    'list-body': { url: `${url}/list-body`, method: 'post', body: [{ op: 'audit' }, { op: 'login', since: 0 }] },
    'string-body': { url: `${url}/string-body`, method: 'post', body: 'everything' },
    'get-body': { url: `${url}/get-body`, body: { since: 0 } },
    'page-offset': { url: `${url}/page-offset`, pagination: { strategy: 'page_offset', page_param: 'p', limit_param: 'n', limit: 3 } },
    'query-cursor': {
      url: `${url}/query-cursor`,
      query_params: { filter: 'eventType eq "user.session.start"', limit: 2 },
      pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'next' },
    },
    'query-link': { url: `${url}/query-link`, query_params: { filter: 'mine', per_page: 1 }, pagination: { strategy: 'link_header' } },
  };
}

describe('hel run --once: body, page_offset and query_params against a loopback API', () => {
  let api: FakeApi;
  let run: CliResult;
  let validate: CliResult;
  let lines: Line[];
  const ids = (label: string) => lines.filter((l) => l.source === label).map((l) => l.event.id);

  const t = cleanupScope();
  after(() => t.run());

  before(async () => {
    api = await fakeApi(t, (req) => routes[req.path]?.(req) ?? { status: 404, body: { error: 'no route' } });
    const dir = tempDir(t);
    const config = writeConfig(dir, { global: { log_level: 'warn' }, sources: sources(api.url) });
    validate = await hel(['validate', '-c', config]);
    run = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`]);
    assert.equal(run.code, 0, run.stderr);
    lines = parseLines(run.stdout);
  });

  it('body may be any JSON value: a list and a string are sent as they are', () => {
    assert.deepEqual(
      api.on('/list-body').map((r) => [r.method, r.body, r.headers['content-type']]),
      [['POST', '[{"op":"audit"},{"op":"login","since":0}]', 'application/json']],
    );
    assert.deepEqual(
      api.on('/string-body').map((r) => r.body),
      ['"everything"'],
    );
    assert.deepEqual(ids('list-body'), ['list-0']);
  });

  it('body with method: get is accepted, not sent, and validate warns about it', () => {
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stderr, /warning: source get-body: body is not sent with method: get \(accepted for the Rust Hel's configs\); set method: post to send it/);
    assert.deepEqual(
      api.on('/get-body').map((r) => [r.method, r.body]),
      [['GET', '']],
    );
    assert.deepEqual(ids('get-body'), ['get-0']);
  });

  it('page_offset sends page_param from 1 and limit_param, and stops on a short page', () => {
    assert.deepEqual(
      api.on('/page-offset').map((r) => r.url),
      ['/page-offset?p=1&n=3', '/page-offset?p=2&n=3', '/page-offset?p=3&n=3'],
    );
    assert.deepEqual(
      ids('page-offset'),
      events('po', 7).map((e) => e.id),
    );
  });

  it('query_params go with every request Hel builds (cursor pages too), not only the first', () => {
    const sent = api.on('/query-cursor').map((r) => Object.fromEntries(r.query));
    assert.deepEqual(sent, [
      { filter: 'eventType eq "user.session.start"', limit: '2' },
      { filter: 'eventType eq "user.session.start"', limit: '2', cursor: '2' },
      { filter: 'eventType eq "user.session.start"', limit: '2', cursor: '4' },
    ]);
    assert.deepEqual(
      ids('query-cursor'),
      events('qc', 5).map((e) => e.id),
    );
  });

  it('query_params are not added to a next URL the server gives (link_header): it is followed as given', () => {
    assert.deepEqual(
      api.on('/query-link').map((r) => r.url),
      ['/query-link?filter=mine&per_page=1', '/query-link?page=2&filter=server-kept', '/query-link?page=3&filter=server-kept'],
    );
  });
});
