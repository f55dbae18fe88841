import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, cursorsSent, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { hel, parseLines, stateOf, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('hel state show / export / reset / import / set round trip, and a run honours the result', async (t) => {
  const events = makeEvents(12);
  const api = await fakeApi(t, cursorFeed(events, 4));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      audit: { url: `${api.url}/audit`, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' }, dedupe: { id_path: 'uuid', capacity: 8 } },
    },
  });
  const state = join(dir, 'st.db');
  const run = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(run.code, 0, run.stderr);

  const shown = await stateOf(state);
  assert.equal(shown.audit!.cursor, 'c000012');
  assert.equal(shown.audit!.dedupe_window, 8, 'the dedupe window is trimmed to its capacity');
  assert.equal(shown.audit!.events_total, '12');
  assert.equal(shown.audit!.last_event_time, events[11]!.timestamp);

  const exported = await hel(['state', 'export', '--state', state]);
  assert.equal(exported.code, 0, exported.stderr);
  const dump = JSON.parse(exported.stdout) as Record<string, { keys: Record<string, string>; dedupe_ids: string[] }>;
  assert.equal(dump.audit!.keys.cursor, 'c000012');
  assert.deepEqual(dump.audit!.dedupe_ids, ['e00004', 'e00005', 'e00006', 'e00007', 'e00008', 'e00009', 'e00010', 'e00011']);

  const reset = await hel(['state', 'reset', 'audit', '--state', state]);
  assert.equal(reset.code, 0, reset.stderr);
  assert.deepEqual(await stateOf(state), {});

  const imported = await hel(['state', 'import', '--state', state], { input: exported.stdout });
  assert.equal(imported.code, 0, imported.stderr);
  assert.deepEqual(await stateOf(state), shown);
  assert.equal((await hel(['state', 'export', '--state', state])).stdout, exported.stdout, 'export → import → export is lossless');

  const bad = await hel(['state', 'import', '--state', state], { input: '{"audit": {"keys": {"cursor": 5}}}' });
  assert.equal(bad.code, 2);
  assert.equal((await stateOf(state)).audit!.cursor, 'c000012', 'a rejected import changes nothing');

  const set = await hel(['state', 'set', 'audit', 'cursor', 'c000006', '--state', state]);
  assert.equal(set.code, 0, set.stderr);
  const mark = api.requests.length;
  const rerun = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(cursorsSent(api.requests.slice(mark))[0], 'c000006', 'the run starts from the cursor that was set');
  assert.deepEqual(parseLines(rerun.stdout), [], 'e00006..e00011 are in the imported dedupe window, so nothing is re-emitted');
  assert.match(rerun.stderr, /audit: ok, 2 pages, 0 events, 6 duplicates dropped/);
});
