import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { hel, parseLines, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

// max_bytes (Helr's per-poll total): pagination stops once a poll's responses add up to it, and
// the next poll resumes from the stored position.

test('max_bytes stops a poll after the page that reaches it; the next poll resumes', async (t) => {
  const events = makeEvents(60);
  const api = await fakeApi(t, cursorFeed(events, 20));
  const dir = tempDir(t);
  const state = join(dir, 'st.db');
  const config = writeConfig(dir, {
    sources: { feed: { url: `${api.url}/e`, method: 'post', max_bytes: 3000, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' } } },
  });
  const first = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /feed: ok, 2 pages, 40 events \(max_bytes \(3000\) reached after \d+ bytes; the next poll resumes from the stored position\)/);
  const second = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(second.code, 0, second.stderr);
  const uuids = [...parseLines(first.stdout), ...parseLines(second.stdout)].map((l) => l.event.uuid);
  assert.deepEqual(
    uuids,
    events.map((e) => e.uuid),
  );
});

test('max_bytes needs a pagination that keeps its position', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { feed: { url: 'https://x.example/', max_bytes: 1000, pagination: { strategy: 'page', limit: 10 } } } });
  const r = await hel(['validate', '-c', config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /sources\.feed\.max_bytes: needs a pagination that keeps its position \(cursor, link_header or next_url\), not page/);
});
