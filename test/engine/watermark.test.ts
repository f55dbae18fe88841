import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeApi, type SeenRequest } from '../helpers/fake-api.js';
import { hel, parseLines, stateOf, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { CLI_TIMEOUT_MS } from '../helpers/workspace.js';

interface Entry {
  id: string;
  date_create: number;
}

/** Slack-like: newest first, pages of 2 by a cursor, `next_cursor: ""` on the last page, `oldest` inclusive. */
function newestFirst(entries: () => Entry[]) {
  return (req: SeenRequest) => {
    const oldest = Number(req.query.get('oldest') ?? '0');
    const list = entries()
      .filter((e) => e.date_create >= oldest)
      .sort((a, b) => b.date_create - a.date_create);
    const at = Number(req.query.get('cursor') ?? '0');
    const page = list.slice(at, at + 2);
    return { body: { entries: page, response_metadata: { next_cursor: at + 2 < list.length ? String(at + 2) : '' } } };
  };
}

const slackLike = (url: string, extra: Record<string, unknown> = {}) => ({
  url: `${url}/v1/entries`,
  pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'response_metadata.next_cursor' },
  dedupe: { id_path: 'id' },
  ...extra,
});

test('an empty next_cursor ends the poll without clearing the saved cursor, so the next poll does not re-read everything', async (t) => {
  const entries = [1, 2, 3, 4, 5].map((i) => ({ id: `e${i}`, date_create: 1_700_000_000 + i }));
  const api = await fakeApi(
    t,
    newestFirst(() => entries),
  );
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { slack: slackLike(api.url) } });
  const first = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(parseLines(first.stdout).length, 5);
  assert.equal((await stateOf(`${dir}/st.db`)).slack?.cursor, '4', 'the last cursor is kept');
  const requestsBefore = api.requests.length;
  const second = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    api.requests.slice(requestsBefore).map((r) => r.query.get('cursor')),
    ['4'],
    'resumes from the kept cursor, not from the start',
  );
  assert.equal(parseLines(second.stdout).length, 0);
});

test('incremental_from: a watermark on oldest for newest-first pages; the second run delivers only what is new', async (t) => {
  const entries = [1, 2, 3, 4, 5].map((i) => ({ id: `e${i}`, date_create: 1_700_000_000 + i }));
  const api = await fakeApi(
    t,
    newestFirst(() => entries),
  );
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: { slack: slackLike(api.url, { incremental_from: { state_key: 'oldest_ts', event_timestamp_path: 'date_create', param_name: 'oldest' } }) },
  });
  const first = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(
    parseLines(first.stdout).map((l) => l.event.id),
    ['e5', 'e4', 'e3', 'e2', 'e1'],
  );
  const state = (await stateOf(`${dir}/st.db`)).slack!;
  assert.equal(state.oldest_ts, '1700000005');
  assert.equal(state.cursor, undefined, 'the finished poll keeps the watermark, not the last cursor');

  entries.push({ id: 'e6', date_create: 1_700_000_006 }, { id: 'e7', date_create: 1_700_000_007 });
  const before = api.requests.length;
  const second = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    parseLines(second.stdout).map((l) => l.event.id),
    ['e7', 'e6'],
  );
  assert.equal(api.requests[before]!.query.get('oldest'), '1700000005');
  assert.equal((await stateOf(`${dir}/st.db`)).slack!.oldest_ts, '1700000007');
});

test('incremental_from: a poll cut short by max_pages resumes from its cursor with the old watermark', async (t) => {
  const entries = [1, 2, 3, 4, 5].map((i) => ({ id: `e${i}`, date_create: 1_700_000_000 + i }));
  const api = await fakeApi(
    t,
    newestFirst(() => entries),
  );
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      slack: slackLike(api.url, {
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'response_metadata.next_cursor', max_pages: 2 },
        incremental_from: { event_timestamp_path: 'date_create', param_name: 'oldest' },
      }),
    },
  });
  const first = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(parseLines(first.stdout).length, 4, first.stderr);
  let state = (await stateOf(`${dir}/st.db`)).slack!;
  assert.equal(state.watermark, undefined);
  assert.equal(state.watermark_pending, '1700000005');
  const second = await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`], { timeoutMs: CLI_TIMEOUT_MS });
  assert.deepEqual(
    parseLines(second.stdout).map((l) => l.event.id),
    ['e1'],
  );
  state = (await stateOf(`${dir}/st.db`)).slack!;
  assert.equal(state.watermark, '1700000005');
  assert.equal(state.watermark_pending, undefined);
});

test('time_window: each poll asks from just after the last window end to now minus the lag', async (t) => {
  const api = await fakeApi(t, () => ({ body: { logs: [] } }));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { ts: { url: `${api.url}/logging/configuration`, time_window: { lag_secs: 0, initial_lookback_secs: 600 } } } });
  const started = Date.now();
  assert.equal((await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`], { timeoutMs: CLI_TIMEOUT_MS })).code, 0);
  assert.equal((await hel(['run', '--once', '-c', config, '--state', `${dir}/st.db`], { timeoutMs: CLI_TIMEOUT_MS })).code, 0);
  const [a, b] = api.requests;
  const start1 = Date.parse(a!.query.get('start')!);
  const end1 = a!.query.get('end')!;
  assert.ok(Math.abs(Date.parse(end1) - start1 - 600_000) < 1000 && Date.parse(end1) >= started - 1000);
  assert.equal(b!.query.get('start'), end1.replace('Z', '000001Z'), 'inclusive windows: the next starts one nanosecond after');
  assert.equal((await stateOf(`${dir}/st.db`)).ts!.window_end, b!.query.get('end'));
});
