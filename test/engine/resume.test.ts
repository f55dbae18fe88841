import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, cursorsSent, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { hel, parseLines, stateOf, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('--once catches up across many pages; a restart resumes from the cursor; hel test moves it only with --commit', async (t) => {
  const events = makeEvents(40);
  const api = await fakeApi(t, cursorFeed(events, 3));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: { audit: { url: `${api.url}/api/events`, method: 'post', body: { limit: 3 }, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' } } },
  });
  const state = join(dir, 'st.db');
  const uuids = (stdout: string) => parseLines(stdout).map((l) => l.event.uuid);

  const first = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(
    uuids(first.stdout),
    events.map((e) => e.uuid),
  );
  assert.equal(api.requests.length, 14);
  assert.equal((await stateOf(state)).audit!.cursor, 'c000040');

  events.push(...makeEvents(5, 40));
  let mark = api.requests.length;
  const restart = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(restart.code, 0, restart.stderr);
  assert.equal(cursorsSent(api.requests.slice(mark))[0], 'c000040', 'the restart asks for the saved cursor first');
  assert.deepEqual(uuids(restart.stdout), ['e00040', 'e00041', 'e00042', 'e00043', 'e00044'], 'and emits only the new events');

  events.push(...makeEvents(3, 45));
  mark = api.requests.length;
  const probe = await hel(['test', '-c', config, '--state', state, '--source', 'audit']);
  assert.equal(probe.code, 0, probe.stderr);
  assert.deepEqual(uuids(probe.stdout), ['e00045', 'e00046', 'e00047']);
  assert.match(probe.stderr, /cursor would move: c000045 -> c000048 \(not saved: pass --commit\)/);
  assert.equal(cursorsSent(api.requests.slice(mark))[0], 'c000045');
  assert.equal((await stateOf(state)).audit!.cursor, 'c000045', 'hel test without --commit leaves the cursor');

  const committed = await hel(['test', '--commit', '-c', config, '--state', state, '--source', 'audit']);
  assert.equal(committed.code, 0, committed.stderr);
  assert.deepEqual(uuids(committed.stdout), ['e00045', 'e00046', 'e00047']);
  assert.match(committed.stderr, /cursor moved: c000045 -> c000048/);
  assert.equal((await stateOf(state)).audit!.cursor, 'c000048');

  mark = api.requests.length;
  const after = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(after.code, 0, after.stderr);
  assert.deepEqual(uuids(after.stdout), []);
  assert.deepEqual(cursorsSent(api.requests.slice(mark)), ['c000048']);
});
