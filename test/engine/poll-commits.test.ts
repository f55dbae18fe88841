import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { EventBus } from '../../src/bus/event-bus.js';
import { PollCommits, type CommitEventMap, type PollCommitsDeps } from '../../src/engine/poll-commits.js';
import { SourceState } from '../../src/engine/source-state.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import type { Checkpoint } from '../../src/state/store.js';
import { CollectingSink } from '../helpers/collecting-sink.js';

const source = parseConfig('sources:\n  s:\n    url: http://127.0.0.1:9/e\n    dedupe: { id_path: id, capacity: 10 }\n', 'hel.yaml', { env: {} }).sources[0]!;

class LoggingStore extends MemoryStateStore {
  readonly commits: Checkpoint[] = [];
  override commit(name: string, checkpoint: Checkpoint): Promise<void> {
    this.commits.push(checkpoint);
    return super.commit(name, checkpoint);
  }
}

async function setup(extra: Partial<PollCommitsDeps> = {}) {
  const store = new LoggingStore();
  const state = await SourceState.load(store, 's', source.dedupe);
  const commits = new PollCommits({
    source,
    state,
    sink: new CollectingSink(),
    clock: systemClock,
    signal: new AbortController().signal,
    commit: true,
    events: new EventBus<CommitEventMap>(),
    ...extra,
  });
  return { store, state, commits };
}

test('pages waiting for one commit go as one change; their ids count as seen meanwhile but join the window only with it', async () => {
  const { store, state, commits } = await setup();
  commits.add('a');
  commits.written({ keys: { cursor: 'c1', window_end_pending: 'x' }, emitted: 1, ids: ['a'] });
  commits.add('b');
  commits.written({ keys: { cursor: 'c2', window_end_pending: null }, emitted: 2, ids: ['b'] });
  assert.equal(commits.has('a'), true);
  assert.equal(state.dedupe!.has('a'), false, 'not in the window before the commit');
  assert.equal(commits.emitted, 3);
  await commits.commitPending(false);
  assert.deepEqual(store.commits, [{ keys: { cursor: 'c2', window_end_pending: null, events_total: '3' }, dedupeIds: ['a', 'b'], dedupeCapacity: 10 }]);
  assert.equal(state.dedupe!.has('a') && state.dedupe!.has('b'), true);
  assert.equal(commits.has('a'), false, "committed ids are the window's now");
  assert.equal(commits.emitted, 0);
});

test('the last page carries the end-of-poll change; end() then commits nothing more', async () => {
  const { store, commits } = await setup({
    finish: () => ({ keys: { last_error: null, cursor: 'from-finish' }, breaker: { state: 'closed', consecutive_failures: 0, consecutive_successes: 0, open_since: null } }),
  });
  commits.written({ keys: { cursor: 'c1' }, emitted: 0, ids: [] });
  await commits.commitPending(true);
  await commits.end();
  assert.equal(store.commits.length, 1);
  assert.equal(store.commits[0]!.keys.last_error, null);
  assert.equal(store.commits[0]!.keys.cursor, 'from-finish', "the end-of-poll keys are applied over the page's");
  assert.equal(typeof store.commits[0]!.keys.breaker, 'string');
});

test('without a page to carry it, end() commits the end-of-poll change alone, unless it changes nothing', async () => {
  const changing = await setup({ finish: () => ({ keys: { last_error: null } }) });
  await changing.state.commit({ keys: { last_error: 'HTTP 503' } });
  await changing.commits.end();
  assert.equal(changing.store.commits.length, 2);
  assert.equal(changing.state.keys.last_error, undefined);

  const idle = await setup({ finish: () => ({ keys: { last_error: null } }) });
  await idle.commits.end();
  assert.equal(idle.store.commits.length, 0);
});

test('commit: false (hel test without --commit) never commits and keeps the seen ids for the whole poll', async () => {
  const { store, commits } = await setup({ commit: false, finish: () => ({ keys: { last_error: 'x' } }) });
  commits.add('a');
  commits.written({ keys: { cursor: 'c1' }, emitted: 1, ids: ['a'] });
  await commits.commitPending(true);
  await commits.end();
  assert.equal(store.commits.length, 0);
  assert.equal(commits.has('a'), true);
});

test("the flush before a commit names the source: a sink that acknowledges per source (NATS) settles only this poll's batches", async () => {
  const flushedFor: (string | undefined)[] = [];
  const sink = new (class extends CollectingSink {
    override flush(_signal?: AbortSignal, source?: string): Promise<void> {
      flushedFor.push(source);
      return Promise.resolve();
    }
  })();
  const { store, commits } = await setup({ sink });
  commits.written({ keys: { cursor: 'c1' }, emitted: 1, ids: ['a'] });
  await commits.commitPending(true);
  assert.deepEqual(flushedFor, ['s']);
  assert.equal(store.commits.length, 1);
});
