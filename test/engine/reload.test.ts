import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorAt, cursorFeed, cursorsSent, fakeApi, held, makeEvents, type FeedEvent } from '../helpers/fake-api.js';
import { logEntries, parseLines, startHel, stateOf, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };
const fast = { interval_secs: 0.3 };

/** The uuids delivered for `path`'s source, in order. */
function delivered(stdout: string, source: string): string[] {
  return parseLines(stdout)
    .filter((l) => l.source === source)
    .map((l) => l.event.uuid as string);
}

test('SIGHUP: a source added, one removed and one changed; the changed one keeps its cursor and dedupe window, nothing twice', async (t) => {
  const feeds: Record<string, FeedEvent[]> = { '/a': makeEvents(10), '/b': makeEvents(4, 100), '/c': makeEvents(3, 200) };
  const api = await fakeApi(t, (req) => cursorFeed(feeds[req.path]!, 4)(req));
  const dir = tempDir(t);
  const a = { url: `${api.url}/a`, schedule: fast, pagination: cursor, dedupe: { id_path: 'uuid' } };
  const config = writeConfig(dir, {
    global: { audit: { enabled: true } },
    sources: { a, b: { url: `${api.url}/b`, schedule: fast, pagination: cursor } },
  });
  const state = join(dir, 'st.db');
  const proc = startHel(t, ['run', '-c', config, '--state', state], { env: { HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => delivered(proc.stdout(), 'a').length === 10 && delivered(proc.stdout(), 'b').length === 4, 30_000, 'the first events of a and b');

  // a changes (a header), b goes, c comes.
  writeConfig(dir, {
    global: { audit: { enabled: true } },
    sources: { a: { ...a, headers: { 'x-config': 'v2' } }, c: { url: `${api.url}/c`, schedule: fast, pagination: cursor } },
  });
  proc.child.kill('SIGHUP');
  await waitFor(() => /"msg":"audit: config reloaded"/.test(proc.stderr()), 20_000, 'the reload');
  const reloaded = logEntries(proc.stderr(), 'config reloaded')[0]!;
  assert.deepEqual([reloaded.added, reloaded.removed, reloaded.changed, reloaded.unchanged], [['c'], ['b'], ['a'], []]);
  const bRequests = api.on('/b').length;

  // New events behind a's cursor, with one old event replayed by the API: the dedupe window survived the rebuild.
  const firstAfter = api.on('/a').findIndex((r) => r.headers['x-config'] === 'v2');
  feeds['/a']!.push(makeEvents(1, 3)[0]!, ...makeEvents(3, 10));
  await waitFor(() => delivered(proc.stdout(), 'a').length === 13 && delivered(proc.stdout(), 'c').length === 3, 30_000, "a's new events and c's");
  await waitFor(() => api.on('/a').length > firstAfter + 3, 20_000, 'a few more polls of a');

  const newRequests = api.on('/a').filter((r) => r.headers['x-config'] === 'v2');
  assert.ok(newRequests.length > 0, 'a polls with its new config');
  assert.equal(cursorsSent(newRequests)[0], cursorAt(10), 'the changed source resumed from its committed cursor, not from the start');
  assert.deepEqual(
    delivered(proc.stdout(), 'a'),
    makeEvents(13).map((e) => e.uuid),
    'every event of a once: the replayed e00003 was a duplicate',
  );
  assert.equal(api.on('/b').length, bRequests, 'the removed source polls no more');
  assert.equal(proc.child.exitCode, null, 'still running');
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(10_000, proc.exited, 'exit'), { code: 0, signal: null });
  const saved = await stateOf(state);
  assert.equal(saved.b!.cursor, cursorAt(4), "the removed source's state stays in the store");
  assert.equal(saved.a!.cursor, cursorAt(14), "past the 14 items of a's feed (13 events and the replayed one)");
});

test('SIGHUP with a broken config: the running config goes on, the log says why (file, line, key); a fixed file is then applied', async (t) => {
  const events = makeEvents(3);
  const api = await fakeApi(t, cursorFeed(events, 10));
  const dir = tempDir(t);
  const good = { global: { audit: { enabled: true } }, sources: { a: { url: `${api.url}/a`, schedule: fast, pagination: cursor } } };
  const config = writeConfig(dir, good);
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db')], { env: { HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => parseLines(proc.stdout()).length === 3, 30_000, 'the first events');

  writeFileSync(config, `global:\n  audit:\n    enabled: true\nsources:\n  a:\n    url: ${api.url}/a\n    schedul:\n      interval_secs: 1\n`);
  proc.child.kill('SIGHUP');
  // The refusal and its audit line are two writes: the pipe may hand over the first one alone.
  await waitFor(() => proc.stderr().includes('reload refused') && proc.stderr().includes('audit: config reload rejected'), 20_000, 'the refusal and its audit line');
  assert.match(proc.stderr(), /reload refused, the running config is kept: the new config is invalid/);
  assert.match(proc.stderr(), /hel\.yaml:7:5 sources\.a\.schedul: unknown key \(did you mean \\"schedule\\"\?\)/);
  assert.match(proc.stderr(), /"msg":"audit: config reload rejected"/);
  proc.child.kill('SIGUSR1');
  await waitFor(() => proc.stderr().includes('global.dump_on_sigusr1 is not set: nothing dumped'), 20_000, 'SIGUSR1 without a dump config');
  // Still collecting with the old config.
  const before = api.requests.length;
  events.push(...makeEvents(2, 3));
  await waitFor(() => parseLines(proc.stdout()).length === 5 && api.requests.length > before + 2, 20_000, 'polls after the refusal');

  // A change to a key fixed at start is refused by name.
  writeConfig(dir, { ...good, global: { ...good.global, state: { backend: 'memory' } } });
  proc.child.kill('SIGHUP');
  await waitFor(() => proc.stderr().includes('global.state changed'), 20_000, 'the second refusal');
  assert.match(proc.stderr(), /reload refused, the running config is kept: global\.state changed; it applies only at start: restart hel/);

  writeConfig(dir, { ...good, sources: { a: { ...good.sources.a, headers: { 'x-config': 'fixed' } } } });
  proc.child.kill('SIGHUP');
  await waitFor(() => api.requests.some((r) => r.headers['x-config'] === 'fixed'), 20_000, 'a poll with the fixed config');
  assert.equal(proc.child.exitCode, null);
  assert.deepEqual(
    parseLines(proc.stdout()).map((l) => l.event.uuid),
    makeEvents(5).map((e) => e.uuid),
  );
});

test('SIGHUP during a poll: the changed source finishes that poll (its pages committed) before its new config takes over', async (t) => {
  const events = makeEvents(6);
  const feed = cursorFeed(events, 3);
  const hold = held();
  const api = await fakeApi(t, (req) => (req.n === 1 ? hold.promise.then(() => feed(req)) : feed(req)));
  const dir = tempDir(t);
  const a = { url: `${api.url}/a`, schedule: fast, pagination: cursor, dedupe: { id_path: 'uuid' } };
  const config = writeConfig(dir, { sources: { a } });
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db')], { env: { HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => api.requests.length === 2, 30_000, 'the second page in flight');

  writeConfig(dir, { sources: { a: { ...a, headers: { 'x-config': 'v2' } } } });
  proc.child.kill('SIGHUP');
  await waitFor(() => proc.stderr().includes('SIGHUP received'), 20_000, 'the signal');
  await new Promise((r) => setTimeout(r, 500));
  assert.doesNotMatch(proc.stderr(), /"msg":"config reloaded"/, 'the reload waits for the poll in flight');
  hold.release({});
  await waitFor(() => api.requests.some((r) => r.headers['x-config'] === 'v2'), 20_000, 'a poll with the new config');
  const first = api.requests.find((r) => r.headers['x-config'] === 'v2')!;
  assert.equal(cursorsSent([first])[0], cursorAt(6), 'the new config starts where the finished poll left off');
  assert.deepEqual(
    parseLines(proc.stdout()).map((l) => l.event.uuid),
    events.map((e) => e.uuid),
    'every event once',
  );
});

test('SIGHUP on run --once is not a reload: the default (terminate) applies, as for any one-shot command', async (t) => {
  const api = await fakeApi(t, () => new Promise(() => undefined));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { a: { url: `${api.url}/a` } } });
  const proc = startHel(t, ['run', '--once', '-c', config, '--state', join(dir, 'st.db')]);
  await waitFor(() => api.requests.length === 1, 20_000, 'the request');
  proc.child.kill('SIGHUP');
  assert.deepEqual(await within(10_000, proc.exited, 'exit'), { code: null, signal: 'SIGHUP' });
});
