import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HelError, isHelError } from '../../../src/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crashSeed, crashUntilDone, isJson, prng } from '../../helpers/crash.js';
import { cursorFeed, fakeApi, makeEvents, type Handler } from '../../helpers/fake-api.js';
import { startHel, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { LoggingSink, LoggingStore, pollOnce } from '../../helpers/poll-once.js';

// checkpoint and on_state_write_error: whatever the mode, a cursor is saved only after the events
// before it are flushed by the sink, so no mode loses an event.

test('checkpoint: per_page (the default) commits each page after its flush', async (t) => {
  const log: string[] = [];
  await pollOnce(t, cursorFeed(makeEvents(5), 2), { checkpoint: 'per_page' }, new LoggingSink(log), new LoggingStore(log));
  assert.deepEqual(log, ['write 2', 'flush', 'commit c000002', 'write 2', 'flush', 'commit c000004', 'write 1', 'flush', 'commit c000005']);
});

test('checkpoint: end_of_tick writes every page, then flushes and commits once at the end of the poll', async (t) => {
  const log: string[] = [];
  const store = new LoggingStore(log);
  const result = await pollOnce(t, cursorFeed(makeEvents(5), 2), { checkpoint: 'end_of_tick' }, new LoggingSink(log), store);
  assert.equal(result.emitted, 5);
  assert.deepEqual(log, ['write 2', 'write 2', 'write 1', 'flush', 'commit c000005']);
  assert.equal((await store.load('s')).keys.cursor, 'c000005');
});

test('checkpoint: end_of_tick, a request failing mid-poll: the pages before it are flushed and committed before the error stops the poll', async (t) => {
  const feed = cursorFeed(makeEvents(10), 2);
  const log: string[] = [];
  const store = new LoggingStore(log);
  const handler: Handler = (req) => (req.query.get('cursor') === 'c000004' ? { status: 500, body: { error: 'down' } } : feed(req));
  await assert.rejects(pollOnce(t, handler, { checkpoint: 'end_of_tick' }, new LoggingSink(log), store), (err: unknown) => isHelError(err) && err.code === 'HEL_HTTP_STATUS');
  assert.deepEqual(log, ['write 2', 'write 2', 'flush', 'commit c000004']);
  assert.equal((await store.load('s')).keys.cursor, 'c000004', 'the next poll goes on after what was delivered');
});

test('on_state_write_error: fail (the default) stops at the failed write, with the last saved position', async (t) => {
  const log: string[] = [];
  const store = new LoggingStore(log, [2]);
  await assert.rejects(pollOnce(t, cursorFeed(makeEvents(5), 2), {}, new LoggingSink(log), store), (err: unknown) => isHelError(err) && err.code === 'HEL_STATE');
  assert.deepEqual(log, ['write 2', 'flush', 'commit c000002', 'write 2', 'flush', 'commit failed c000004']);
  assert.equal((await store.load('s')).keys.cursor, 'c000002');
});

test('on_state_write_error: skip_checkpoint goes on from the position in memory after a failed write, with a warning; later commits save it', async (t) => {
  const log: string[] = [];
  const warnings: string[] = [];
  const store = new LoggingStore(log, [2]);
  const result = await pollOnce(t, cursorFeed(makeEvents(5), 2), { on_state_write_error: 'skip_checkpoint' }, new LoggingSink(log), store, warnings);
  assert.equal(result.emitted, 5);
  assert.deepEqual(log, ['write 2', 'flush', 'commit c000002', 'write 2', 'flush', 'commit failed c000004', 'write 1', 'flush', 'commit c000005']);
  assert.equal((await store.load('s')).keys.cursor, 'c000005');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /checkpoint skipped \(on_state_write_error: skip_checkpoint\): cannot save state .* disk is full/);
});

test('on_state_write_error: skip_checkpoint never tolerates an anomaly the store detected (a replaced state file)', async (t) => {
  const log: string[] = [];
  const store = new LoggingStore(
    log,
    [1],
    () => new HelError('HEL_STATE', 'state file st.db was replaced by another file while hel was running; nothing more is committed to either', { source: 's' }),
  );
  await assert.rejects(pollOnce(t, cursorFeed(makeEvents(5), 2), { on_state_write_error: 'skip_checkpoint' }, new LoggingSink(log), store), /was replaced by another file/);
  assert.deepEqual(log, ['write 2', 'flush', 'commit failed c000002']);
});

test('checkpoint: end_of_tick with dedupe on a file: SIGKILL at 8 random moments of a 20,000-event backfill: 0 missing, 0 duplicates', async (t) => {
  const seed = crashSeed();
  const random = prng(seed);
  const events = makeEvents(20_000);
  const api = await fakeApi(t, cursorFeed(events, 500));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      s: {
        url: `${api.url}/e`,
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', max_pages: 10_000 },
        dedupe: { id_path: 'uuid', capacity: 50_000 },
        checkpoint: 'end_of_tick',
      },
    },
  });
  const output = join(dir, 'events.ndjson');
  const args = ['run', '--once', '-c', config, '--output', output, '--state', join(dir, 'st.db')];
  const { runs, kills } = await crashUntilDone({ requests: () => api.requests.length, kills: 8, maxDelayMs: 400, random, seed, start: () => startHel(t, args) });
  const seen = new Map<string, number>();
  for (const line of readFileSync(output, 'utf8').split('\n')) {
    if (!isJson(line)) continue;
    const uuid = (JSON.parse(line) as { event: { uuid: string } }).event.uuid;
    seen.set(uuid, (seen.get(uuid) ?? 0) + 1);
  }
  t.diagnostic(`seed ${seed}: ${runs} runs, ${kills} kills, ${api.requests.length} requests`);
  assert.equal(events.filter((e) => !seen.has(e.uuid)).length, 0, `events missing (seed ${seed})`);
  assert.equal(
    [...seen.values()].reduce((n, c) => n + c - 1, 0),
    0,
    `events written twice (seed ${seed})`,
  );
});
