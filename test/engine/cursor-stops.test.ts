import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, cursorsSent, fakeApi, makeEvents, type Handler } from '../helpers/fake-api.js';
import { hel, parseLines, stateOf, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const events = makeEvents(10);
const ids = (from: number, to: number) => events.slice(from, to).map((e) => e.uuid);

/** Pages keyed by the cursor received ('' = first request). */
function scripted(pages: Record<string, Record<string, unknown>>): Handler {
  return (req) => {
    const body = req.method === 'POST' && req.body ? (JSON.parse(req.body) as { cursor?: string }) : {};
    const cursor = body.cursor ?? req.query.get('cursor') ?? '';
    return pages[cursor] ? { body: pages[cursor] } : { status: 400, body: { error: `unknown cursor ${cursor}` } };
  };
}

test('cursor stop conditions, and max_pages resuming on the next --once', async (t) => {
  const routes: Record<string, Handler> = {
    // 1Password idiom: nothing new = the same cursor back, no items, has_more absent.
    '/echo': scripted({ '': { items: [events[0], events[1]], cursor: 'c2' }, c2: { items: [], cursor: 'c2' } }),
    '/has-more': scripted({ '': { items: [events[2], events[3]], cursor: 'h1', has_more: false }, h1: { items: [], cursor: 'h1', has_more: false } }),
    '/missing': scripted({ '': { items: [events[4]], cursor: 'm1' }, m1: { items: [events[5]] } }),
    '/max-pages': cursorFeed(events, 2),
  };
  const api = await fakeApi(t, (req) => routes[req.path]!(req));
  const dir = tempDir(t);
  const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };
  const config = writeConfig(dir, {
    sources: {
      echo: { url: `${api.url}/echo`, method: 'post', pagination: cursor },
      'has-more': { url: `${api.url}/has-more`, pagination: cursor },
      missing: { url: `${api.url}/missing`, pagination: cursor },
      'max-pages': { url: `${api.url}/max-pages`, method: 'post', pagination: { ...cursor, max_pages: 2 } },
    },
  });
  const state = join(dir, 'st.db');
  const first = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(first.code, 0, first.stderr);
  const out1 = parseLines(first.stdout);
  const emitted = (lines: typeof out1, source: string) => lines.filter((l) => l.source === source).map((l) => l.event.uuid);

  assert.deepEqual(cursorsSent(api.on('/echo')), [undefined, 'c2'], 'an echoed cursor costs exactly one extra request, not max_pages');
  assert.deepEqual(cursorsSent(api.on('/has-more')), [undefined], 'has_more: false stops at once');
  assert.deepEqual(cursorsSent(api.on('/missing')), [undefined, 'm1']);
  assert.deepEqual(cursorsSent(api.on('/max-pages')), [undefined, 'c000002']);
  assert.deepEqual(emitted(out1, 'echo'), ids(0, 2));
  assert.deepEqual(emitted(out1, 'has-more'), ids(2, 4));
  assert.deepEqual(emitted(out1, 'missing'), ids(4, 6));
  assert.deepEqual(emitted(out1, 'max-pages'), ids(0, 4));
  assert.match(first.stderr, /echo: ok, 2 pages, 2 events \(cursor echoed with no events\)/);
  assert.match(first.stderr, /max-pages: ok, 2 pages, 4 events \(max_pages \(2\) reached/);

  const saved = await stateOf(state);
  assert.equal(saved.echo!.cursor, 'c2');
  assert.equal(saved['has-more']!.cursor, 'h1');
  assert.equal(saved.missing!.cursor, 'm1', 'a last page without a cursor keeps the cursor that fetched it');
  assert.equal(saved['max-pages']!.cursor, 'c000004');

  const before = api.requests.length;
  const second = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(second.code, 0, second.stderr);
  const again = api.requests.slice(before);
  const sent = (path: string) => cursorsSent(again.filter((r) => r.path === path));
  assert.deepEqual(sent('/echo'), ['c2'], 'resumes from the echoed cursor and stops after one request');
  assert.deepEqual(sent('/has-more'), ['h1']);
  assert.deepEqual(sent('/missing'), ['m1'], 'the kept cursor re-reads the last page instead of starting over');
  assert.deepEqual(sent('/max-pages'), ['c000004', 'c000006'], 'max_pages: the next run resumes from the saved cursor');
  const out2 = parseLines(second.stdout);
  assert.deepEqual(emitted(out2, 'max-pages'), ids(4, 8));
  assert.deepEqual(emitted(out2, 'echo'), []);
  assert.deepEqual(emitted(out2, 'missing'), ids(5, 6), 'without dedupe the re-read last page is delivered again (documented)');
  assert.equal((await stateOf(state))['max-pages']!.cursor, 'c000008');
});
