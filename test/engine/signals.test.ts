import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, held, makeEvents } from '../helpers/fake-api.js';
import { hel, parseLines, startHel, stateOf, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };

test("SIGTERM while a page is in flight: exit 0 promptly, and that page's cursor is not saved", async (t) => {
  const events = makeEvents(10);
  const feed = cursorFeed(events, 2);
  const hold = held();
  const api = await fakeApi(t, (req) => (req.n === 0 ? feed(req) : hold.promise));
  t.after(() => hold.release({ status: 503 }));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { audit: { url: `${api.url}/events`, method: 'post', pagination: cursor } } });
  const state = join(dir, 'st.db');
  const proc = startHel(t, ['run', '--once', '-c', config, '--state', state]);

  await waitFor(() => api.requests.length === 2, 20_000, 'the second page request');
  const sent = Date.now();
  proc.child.kill('SIGTERM');
  const exit = await within(5000, proc.exited, 'exit after SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, proc.stderr());
  assert.ok(Date.now() - sent < 5000);
  assert.match(proc.stderr(), /^audit: stopped: stopped by a signal; the next run resumes from the last committed page$/m, 'a source a signal stopped did not fail (#13 item 8)');
  assert.doesNotMatch(proc.stderr(), /FAILED/);
  assert.deepEqual(
    parseLines(proc.stdout()).map((l) => l.event.uuid),
    ['e00000', 'e00001'],
  );
  assert.equal((await stateOf(state)).audit!.cursor, 'c000002', 'the cursor of the committed page, not of the one in flight (c000004)');
});

test('SIGTERM while idle between polls exits 0 promptly; meanwhile a second hel on the same state fails fast', async (t) => {
  const events = makeEvents(3);
  const api = await fakeApi(t, cursorFeed(events, 10));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { audit: { url: `${api.url}/events`, schedule: { interval_secs: 3600 }, pagination: cursor } } });
  const state = join(dir, 'st.db');
  const proc = startHel(t, ['run', '-c', config, '--state', state], { env: { HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => proc.stderr().includes('poll done'), 20_000, 'the first poll');

  const second = await hel(['run', '--once', '-c', config, '--state', state], { timeoutMs: 20_000 });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /state file .*st\.db is in use by another hel process/);
  assert.equal(api.requests.length, 1, 'the second process made no request');

  const sent = Date.now();
  proc.child.kill('SIGTERM');
  const exit = await within(5000, proc.exited, 'exit after SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, proc.stderr());
  assert.ok(Date.now() - sent < 5000);
  assert.match(proc.stderr(), /hel stopped/);
  assert.equal(parseLines(proc.stdout()).length, 3);
  assert.equal((await stateOf(state)).audit!.cursor, 'c000003');
});
