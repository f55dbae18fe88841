import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SourceState } from '../../src/engine/source-state.js';
import { HelError, isHelError } from '../../src/errors.js';
import type { BatchSink, SinkBatch } from '../../src/sink/batch-sink.js';
import { FileSink } from '../../src/sink/file.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import type { Checkpoint } from '../../src/state/store.js';
import { cursorAt, cursorFeed, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { tempDir } from '../helpers/tmp.js';
import { sourceEngine } from '../helpers/source-engine.js';

const BREAKER = { state: 'open', consecutive_failures: 5, consecutive_successes: 0, open_since: '2026-03-01T10:00:00.000Z' } as const;

/** A memory store that logs every checkpoint and refuses the ones `refuse` picks, once each, with a disk-full write failure. */
class RefusingStore extends MemoryStateStore {
  readonly commits: Checkpoint[] = [];
  constructor(private refuse: (checkpoint: Checkpoint) => boolean = () => false) {
    super();
  }
  override commit(source: string, checkpoint: Checkpoint): Promise<void> {
    if (this.refuse(checkpoint)) {
      this.refuse = () => false;
      return Promise.reject(new HelError('HEL_STATE', `cannot save state for ${source}: database or disk is full`, { source }, { cause: new Error('SQLITE_FULL') }));
    }
    this.commits.push(checkpoint);
    return super.commit(source, checkpoint);
  }
}

/** An output that delivers a batch only when it is flushed; the flushes numbered in `failing` lose what was written since the last one. */
class AckingSink implements BatchSink {
  readonly description = 'acking';
  readonly delivered: string[] = [];
  private written: string[] = [];
  private flushes = 0;
  constructor(private readonly failing: number[]) {}
  write(batch: SinkBatch): Promise<void> {
    for (const line of Buffer.from(batch.bytes).toString('utf8').split('\n')) if (line) this.written.push((JSON.parse(line) as { event: { id: string } }).event.id);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    const batch = this.written;
    this.written = [];
    if (this.failing.includes(++this.flushes)) return Promise.reject(new HelError('HEL_OUTPUT_UNAVAILABLE', 'the receiver did not acknowledge in time'));
    this.delivered.push(...batch);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  healthy(): boolean {
    return true;
  }
}

test('a state saved before the typed fields reads back: events_total a number, the breaker a snapshot, the stored form unchanged', async () => {
  const store = new MemoryStateStore();
  const stored = { cursor: 'c9', last_success_at: '2026-03-01T10:00:00.000Z', events_total: '12', breaker: JSON.stringify(BREAKER) };
  await store.commit('s', { keys: stored, dedupeIds: ['a', 'b'] });
  const state = await SourceState.load(store, 's', { id_path: 'id', capacity: 10 });
  assert.equal(state.eventsTotal, 12);
  assert.deepEqual(state.breaker, BREAKER);
  assert.deepEqual(state.keys, { cursor: 'c9', last_success_at: '2026-03-01T10:00:00.000Z' }, 'the position keys hold neither');
  assert.deepEqual(state.stored(), stored);
  assert.equal(state.dedupe?.has('a'), true);

  await state.commit({ keys: { cursor: 'c10' }, emitted: 3, breaker: { ...BREAKER, state: 'half_open' } });
  const saved = (await store.load('s')).keys;
  assert.equal(saved.events_total, '15', 'stored as the same decimal string');
  assert.equal((JSON.parse(saved.breaker!) as { state: string }).state, 'half_open');
  await state.commit({ breaker: null });
  assert.equal((await store.load('s')).keys.breaker, undefined);
  assert.equal(state.breaker, undefined);
});

test('a source never polled has no events_total in its stored form; its first page stores one, even for 0 events', async () => {
  const store = new MemoryStateStore();
  const state = await SourceState.load(store, 's');
  assert.equal(state.eventsTotal, 0);
  assert.deepEqual(state.stored(), {});
  await state.commit({ keys: { cursor: 'c1' }, emitted: 0 });
  assert.deepEqual((await store.load('s')).keys, { cursor: 'c1', events_total: '0' });
  assert.deepEqual(state.stored(), { cursor: 'c1', events_total: '0' });
});

test('a damaged events_total or breaker stops the source with HEL_STATE naming the key and the fix; nothing is guessed', async () => {
  for (const [key, value, problem] of [
    ['events_total', 'twelve', /events_total of source s is not a count of events/],
    ['events_total', '-3', /is not a count of events/],
    ['breaker', '{"state":', /breaker of source s is not JSON/],
    ['breaker', '{"state":"ajar","consecutive_failures":0,"consecutive_successes":0,"open_since":null}', /breaker of source s is not a circuit breaker snapshot/],
  ] as const) {
    const store = new MemoryStateStore();
    await store.commit('s', { keys: { [key]: value } });
    await assert.rejects(SourceState.load(store, 's'), (err: unknown) => {
      assert.ok(isHelError(err) && err.code === 'HEL_STATE', `${key}=${value}`);
      assert.match(err.message, problem);
      assert.match(err.context.hint ?? '', /hel state reset s/);
      return true;
    });
  }
});

test('a commit the store refuses changes nothing in memory: position, count, breaker and dedupe window stay as committed', async () => {
  const store = new RefusingStore((c) => c.keys.cursor === 'c2');
  const state = await SourceState.load(store, 's', { id_path: 'id', capacity: 2 });
  await state.commit({ keys: { cursor: 'c1' }, emitted: 2, dedupeIds: ['a', 'b'] });
  await assert.rejects(state.commit({ keys: { cursor: 'c2', last_error: 'x' }, emitted: 2, breaker: BREAKER, dedupeIds: ['c', 'd'] }), /disk is full/);
  assert.deepEqual(state.keys, { cursor: 'c1' });
  assert.equal(state.eventsTotal, 2);
  assert.equal(state.breaker, undefined);
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((id) => state.dedupe!.has(id)),
    [true, true, false, false],
    'the committed ids were not pushed out by ids never committed',
  );
  assert.deepEqual((await store.load('s')).dedupeIds, ['a', 'b'], 'memory and store agree');
});

test('a failed delivery followed by a retry neither loses nor duplicates, even when the failed page would have pushed committed ids out of the window', async (t) => {
  // The API answers every poll with its recent events (a look-back): the retry sends again events
  // committed before the failure, and the failed page is larger than the free room in the window.
  let polls = 0;
  const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: `e${from + i}` }));
  const api = await fakeApi(t, () => ({ body: { items: polls++ === 0 ? events(1, 3) : events(1, 5) } }));
  const sink = new AckingSink([2]);
  const store = new RefusingStore();
  const e = await sourceEngine(t, `sources:\n  s:\n    url: ${api.url}/events\n    dedupe: { id_path: id, capacity: 3 }\n    resilience: { retries: { max_attempts: 0 } }\n`, {}, { store, sink });
  assert.ok((await e.poll()).ok);
  const failed = await e.poll();
  assert.ok(!failed.ok && 'error' in failed && isHelError(failed.error) && failed.error.code === 'HEL_OUTPUT_UNAVAILABLE', 'the second poll fails at its flush');
  assert.deepEqual((await store.load('s')).dedupeIds, ['e1', 'e2', 'e3']);
  assert.deepEqual(
    ['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => e.runtime.state.dedupe!.has(id)),
    [true, true, true, false, false],
    'the window is the committed one',
  );
  assert.ok((await e.poll()).ok, 'the retry');
  assert.deepEqual(sink.delivered, ['e1', 'e2', 'e3', 'e4', 'e5'], 'each event delivered once');
});

test('a state commit that fails after its page was written, then a restart: the page is read back from the output, nothing lost, nothing twice', async (t) => {
  const all = makeEvents(9);
  const api = await fakeApi(t, cursorFeed(all, 3));
  const dir = tempDir(t);
  const output = join(dir, 'events.ndjson');
  const yaml = `sources:\n  s:\n    url: ${api.url}/e\n    pagination: { strategy: cursor, cursor_param: cursor, cursor_path: cursor }\n    dedupe: { id_path: uuid, capacity: 100 }\n`;
  const store = new RefusingStore((c) => c.keys.cursor === cursorAt(6));
  const first = await sourceEngine(t, yaml, {}, { store, sink: new FileSink(output) });
  await assert.rejects(first.poll(), (err: unknown) => isHelError(err) && err.code === 'HEL_STATE');
  assert.deepEqual(Object.keys(store.commits[0]!.keys), ['output_position'], 'the poll began by recording where the output stood');
  assert.equal(first.runtime.state.keys.cursor, cursorAt(3), 'memory follows the store, not the refused commit');
  assert.equal(first.runtime.state.dedupe!.has(all[4]!.uuid), false);
  assert.deepEqual(
    (await store.load('s')).dedupeIds,
    all.slice(0, 3).map((ev) => ev.uuid),
  );

  const restarted = await sourceEngine(t, yaml, {}, { store, sink: new FileSink(output) });
  assert.ok(restarted.logs().some((l) => /read back 3 events/.test(String(l.msg))));
  assert.ok((await restarted.poll()).ok);
  const written = readFileSync(output, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { event: { uuid: string } }).event.uuid);
  assert.deepEqual(
    written,
    all.map((ev) => ev.uuid),
  );
  assert.equal(restarted.runtime.state.eventsTotal, 6, 'events_total counts the pages this source committed (1 and 3); the page read back is in the output but not counted');
});

test("a poll commits once per page: the end-of-poll keys and the breaker ride on the last page's commit", async (t) => {
  let down = true;
  const feed = cursorFeed(makeEvents(6), 2);
  const api = await fakeApi(t, (req) => (down ? { status: 503, body: { error: 'down' } } : feed(req)));
  const store = new RefusingStore();
  const e = await sourceEngine(
    t,
    `sources:\n  s:\n    url: ${api.url}/e\n    pagination: { strategy: cursor, cursor_param: cursor, cursor_path: cursor }\n    resilience: { retries: { max_attempts: 0 }, circuit_breaker: { failure_threshold: 5 } }\n`,
    {},
    { store },
  );
  assert.equal((await e.poll()).ok, false);
  assert.equal(store.commits.length, 1, 'a failed poll: one commit of its error and breaker');
  assert.match(store.commits[0]!.keys.last_error ?? '', /HTTP 503|503/);
  assert.equal((JSON.parse(store.commits[0]!.keys.breaker!) as { consecutive_failures: number }).consecutive_failures, 1);

  down = false;
  assert.ok((await e.poll()).ok);
  const poll = store.commits.slice(1);
  assert.deepEqual(
    poll.map((c) => c.keys.cursor),
    [cursorAt(2), cursorAt(4), cursorAt(6)],
    'three pages, three commits, no fourth',
  );
  const last = poll[2]!.keys;
  assert.equal(last.last_error, null);
  assert.equal(last.last_error_at, null);
  assert.equal(typeof last.last_success_at, 'string');
  assert.deepEqual(JSON.parse(last.breaker!), e.runtime.breaker.toJSON(), 'the breaker the success left, saved with the page');
  assert.equal('breaker' in poll[0]!.keys, false, 'earlier pages carry no end-of-poll keys');
  const saved = (await store.load('s')).keys;
  assert.equal(saved.last_error, undefined);
  assert.equal(saved.events_total, '6');
  assert.deepEqual(e.runtime.state.stored(), saved, 'memory and store agree');
});

test('a poll with nothing to ask for and nothing to change commits nothing', async (t) => {
  const api = await fakeApi(t, () => ({ body: { logs: [{ id: 'l1' }] } }));
  const store = new RefusingStore();
  const e = await sourceEngine(t, `sources:\n  s:\n    url: ${api.url}/logs?start=2026-01-01T00:00:00Z&end=2026-01-01T01:00:00Z\n    response_events_path: logs\n    time_window: {}\n`, {}, { store });
  assert.ok((await e.poll()).ok);
  assert.equal(store.commits.length, 1, 'the fixed window in one page, one commit');
  assert.equal(store.commits[0]!.keys.window_end, '2026-01-01T01:00:00.000Z');
  const idle = await e.poll();
  assert.ok(idle.ok && idle.result.pages === 0, 'the window is collected: nothing asked');
  assert.equal(api.requests.length, 1);
  assert.equal(store.commits.length, 1, 'and nothing committed');
});
