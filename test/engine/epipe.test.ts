import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, held, makeEvents } from '../helpers/fake-api.js';
import { hel, parseLines, startHel, stateOf, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('stdout closed by the reader (EPIPE): non-zero exit, the cursor never passes what was written, a rerun delivers the rest', async (t) => {
  const events = makeEvents(20);
  const feed = cursorFeed(events, 5);
  const gate = held();
  // Page 2 waits until the reader is gone, so the write that fails is page 2's.
  const api = await fakeApi(t, async (req) => {
    if (req.n >= 1) await gate.promise;
    return feed(req);
  });
  t.after(() => gate.release({}));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: { audit: { url: `${api.url}/events`, method: 'post', pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' } } },
  });
  const state = join(dir, 'st.db');
  const proc = startHel(t, ['run', '--once', '-c', config, '--state', state]);
  await waitFor(() => parseLines(proc.stdout().slice(0, proc.stdout().lastIndexOf('\n') + 1)).length >= 5, 20_000, 'page 1 on stdout');
  const firstRun = proc.stdout().slice(0, proc.stdout().lastIndexOf('\n') + 1);
  proc.child.stdout.destroy();
  await waitFor(() => api.requests.length >= 2, 10_000, 'the page 2 request');
  gate.release({});

  const exit = await within(10_000, proc.exited, 'exit after EPIPE');
  assert.notEqual(exit.code, 0, 'a closed stdout is fatal');
  assert.match(proc.stderr(), /EPIPE/);
  assert.equal((await stateOf(state)).audit!.cursor, 'c000005', 'only page 1, which reached the pipe, is committed');

  const rerun = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(rerun.code, 0, rerun.stderr);
  const seen = new Set([...parseLines(firstRun), ...parseLines(rerun.stdout)].map((l) => l.event.uuid));
  assert.deepEqual(
    [...seen].sort(),
    events.map((e) => e.uuid),
  );
});

test("continuous hel run with several sources exits promptly on EPIPE, without waiting for the other sources' intervals", async (t) => {
  const api = await fakeApi(t, (req) => ({ body: { items: [{ id: `${req.path}-${req.n}` }] } }));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      often: { url: `${api.url}/often`, schedule: { interval_secs: 1 } },
      rarely: { url: `${api.url}/rarely`, schedule: { interval_secs: 3600 } },
    },
  });
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db')]);
  await waitFor(() => proc.stdout().includes('"rarely"') && proc.stdout().includes('"often"'), 20_000, 'both sources on stdout');
  proc.child.stdout.destroy();
  const exit = await within(10_000, proc.exited, 'exit after EPIPE');
  assert.equal(exit.code, 1, proc.stderr());
  assert.match(proc.stderr(), /EPIPE/);
});
