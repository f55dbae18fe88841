import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorsSent, fakeApi, makeEvents, type Handler } from '../helpers/fake-api.js';
import { hel, parseLines, stateOf, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

// Issue #13 item 1 (and the echoed cursor of item 8): a page whose cursor is unusable while the API
// says more follow is an error that keeps the stored cursor; nothing after it is skipped.

const events = makeEvents(6);
const uuids = (stdout: string) => parseLines(stdout).map((l) => l.event.uuid);

/** First request: events 0-1 with cursor c2. From c2: events 2-3 with the broken `tail`. From c4: events 4-5, the end. */
function feed(tail: Record<string, unknown>): { handler: Handler; fixed: { value: boolean } } {
  const fixed = { value: false };
  const handler: Handler = (req) => {
    const cursor = (JSON.parse(req.body || '{}') as { cursor?: string }).cursor;
    if (cursor === undefined) return { body: { items: events.slice(0, 2), cursor: 'c2', has_more: true } };
    if (cursor === 'c2') return { body: fixed.value ? { items: events.slice(2, 4), cursor: 'c4', has_more: true } : { items: events.slice(2, 4), ...tail } };
    if (cursor === 'c4') return { body: { items: events.slice(4), cursor: 'c6', has_more: false } };
    return { status: 400, body: { error: 'unknown cursor' } };
  };
  return { handler, fixed };
}

const BROKEN: Record<string, Record<string, unknown>> = {
  'no cursor': { has_more: true },
  'empty cursor': { cursor: '', has_more: true },
  'null cursor': { cursor: null, has_more: true },
  'object cursor': { cursor: { next: 'c4' }, has_more: true },
  'echoed cursor with events': { cursor: 'c2', has_more: true },
};

for (const [name, tail] of Object.entries(BROKEN)) {
  test(`${name} while has_more is true: HEL_PAGINATION, the stored cursor is kept, then nothing is lost`, async (t) => {
    const { handler, fixed } = feed(tail);
    const api = await fakeApi(t, handler);
    const dir = tempDir(t);
    const state = join(dir, 'st.db');
    const config = writeConfig(dir, {
      sources: { feed: { url: `${api.url}/events`, method: 'post', body: {}, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' }, dedupe: { id_path: 'uuid' } } },
    });

    const broken = await hel(['run', '--once', '-c', config, '--state', state]);
    assert.equal(broken.code, 1, broken.stderr);
    assert.match(broken.stderr, /feed: FAILED: .*(cursor|echoed).*the stored cursor was kept/);
    assert.match(broken.stderr, /docs\/resilience\.md/);
    assert.deepEqual(uuids(broken.stdout), ['e00000', 'e00001'], 'the broken page is not written');
    assert.equal((await stateOf(state)).feed!.cursor, 'c2', 'the cursor that fetched the broken page is kept');
    assert.deepEqual(cursorsSent(api.requests), [undefined, 'c2'], 'an echoed cursor is not re-posted');

    const again = await hel(['run', '--once', '-c', config, '--state', state]);
    assert.equal(again.code, 1, 'the anomaly is reported on every poll, never turned into a restart');
    assert.deepEqual(cursorsSent(api.requests.slice(2)), ['c2'], 'the next poll resumes from the kept cursor, not from the first request');

    fixed.value = true;
    const healed = await hel(['run', '--once', '-c', config, '--state', state]);
    assert.equal(healed.code, 0, healed.stderr);
    const all = [...uuids(broken.stdout), ...uuids(again.stdout), ...uuids(healed.stdout)];
    assert.deepEqual(
      all,
      events.map((e) => e.uuid),
      'every event exactly once',
    );
  });
}

test('1Password: a last page without a cursor is an error even when has_more is false', async (t) => {
  const api = await fakeApi(t, () => ({ body: { items: events.slice(0, 2), has_more: false } }));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { op: { type: 'onepassword', base_url: api.url, streams: ['auditevents'] } } });
  const r = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')], { env: { ONEPASSWORD_EVENTS_TOKEN: 'x' } });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /op-auditevents: FAILED: the cursor \(cursor\) is missing \(on_missing_cursor: fail\)/);
  assert.equal(r.stdout, '');
});

test('on_missing_cursor: keep is refused for a 1Password source', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      audit: {
        url: 'https://events.1password.com/api/v2/auditevents',
        method: 'post',
        body: {},
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', on_missing_cursor: 'keep' },
      },
    },
  });
  const r = await hel(['validate', '-c', config]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /sources\.audit\.pagination\.on_missing_cursor: must be fail for the 1Password Events API/);
});

test('on_missing_cursor: fail on a generic API stops at a last page without a cursor', async (t) => {
  const api = await fakeApi(t, () => ({ body: { items: events.slice(0, 2) } }));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: { feed: { url: `${api.url}/x`, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'next', on_missing_cursor: 'fail' } } },
  });
  const r = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the cursor \(next\) is missing \(on_missing_cursor: fail\)/);
});
