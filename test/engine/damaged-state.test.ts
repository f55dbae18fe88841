import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { hel, stateOf, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('a damaged events_total or breaker in the state file stops the run with one line naming the key and the fix; state show still shows it', async (t) => {
  const api = await fakeApi(t, cursorFeed(makeEvents(4), 2));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { audit: { url: `${api.url}/audit`, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' } } } });
  const state = join(dir, 'st.db');
  assert.equal((await hel(['run', '--once', '-c', config, '--state', state])).code, 0);
  const requests = api.requests.length;

  const closed = '{"state":"closed","consecutive_failures":0,"consecutive_successes":0,"open_since":null}';
  for (const [key, value, problem, valid] of [
    ['events_total', 'lots', 'is not a count of events', '4'],
    ['breaker', '{"state":', 'is not JSON', closed],
  ] as const) {
    assert.equal((await hel(['state', 'set', 'audit', key, value, '-c', config, '--state', state])).code, 0);
    const run = await hel(['run', '--once', '-c', config, '--state', state]);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(`the stored state key ${key} of source audit ${problem}; hel does not guess a value`), run.stderr);
    assert.match(run.stderr, /hel state reset audit/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(api.requests.length, requests, 'nothing was asked for');
    const shown = await stateOf(state);
    assert.equal(key === 'breaker' ? shown.audit!.circuit : shown.audit![key], value, 'state show prints the damaged value as saved');
    assert.equal((await hel(['state', 'set', 'audit', key, valid, '-c', config, '--state', state])).code, 0);
  }

  const fixed = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal((await stateOf(state)).audit!.events_total, '4');
});
