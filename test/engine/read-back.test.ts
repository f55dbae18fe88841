import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { Runtime } from '../../src/engine/runtime.js';
import { HelError, isHelError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { FileSink } from '../../src/sink/file.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import type { Checkpoint } from '../../src/state/store.js';
import { batchOf } from '../helpers/batch.js';
import { cursorFeed, fakeApi, makeEvents, offsetOf } from '../helpers/fake-api.js';
import { parseLines } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { runtimeTransports } from '../helpers/transport-harness.js';
import { openEventBus } from '../../src/app/event-bus.js';

const never = new AbortController().signal;
const page = (tag: string, n: number): string => Array.from({ length: n }, (_, i) => `{"tag":"${tag}","i":${i},"pad":"${'x'.repeat(40)}"}\n`).join('');

async function readBack(sink: FileSink, mark: string): Promise<{ lines: string[]; end: string | undefined }> {
  const lines: string[] = [];
  const result = await sink.readBack(mark, (line) => lines.push(line), never);
  return { lines, end: 'end' in result ? result.end : undefined };
}

test('read-back after a kill between a rotation and the next commit: the page in the new file, nothing before the mark', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.ndjson');
  const first = new FileSink(path, { kind: 'size', maxBytes: 1000 }, () => new Date('2026-03-01T10:00:00Z'));
  await first.write(batchOf(page('committed', 20)));
  await first.flush();
  const mark = await first.position();
  // The next page rotates the file first, then lands in the new one; the process dies before its commit.
  await first.write(batchOf(page('in-flight', 3)));
  await first.flush();
  assert.equal(readdirSync(dir).length, 2, 'rotated');

  const restarted = new FileSink(path, { kind: 'size', maxBytes: 1000 }, () => new Date('2026-03-01T10:00:00Z'));
  const { lines, end } = await readBack(restarted, mark);
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { tag: string }).tag),
    ['in-flight', 'in-flight', 'in-flight'],
  );
  assert.deepEqual((await readBack(restarted, end!)).lines, [], 'the end mark covers what was read');
  await first.close();
  await restarted.close();
});

test('read-back skips a torn last line, walks several rotated files in order, and reports a vanished file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'e.ndjson');
  const clock = { now: new Date('2026-03-01T10:00:00Z') };
  const sink = new FileSink(path, { kind: 'size', maxBytes: 100 }, () => clock.now);
  await sink.write(batchOf('{"n":0}\n'));
  await sink.flush();
  const mark = await sink.position();
  for (let n = 1; n <= 4; n++) {
    clock.now = new Date(Date.parse('2026-03-01T10:00:00Z') + n * 1000);
    await sink.write(batchOf(`{"n":${n},"pad":"${'y'.repeat(120)}"}\n`));
  }
  await sink.close();
  appendFileSync(path, '{"n":5,"to'); // a kill mid-write
  assert.ok(readdirSync(dir).length >= 4);
  const { lines } = await readBack(new FileSink(path), mark);
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { n: number }).n),
    [1, 2, 3, 4],
  );

  for (const name of readdirSync(dir)) renameSync(join(dir, name), join(dir, `moved-${name}`));
  assert.equal((await readBack(new FileSink(path), mark)).end, undefined, 'the mark names a file that is gone');
});

test('read-back is capped: a longer tail is a clear HEL_OUTPUT error, not a long stall', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'e.ndjson');
  const sink = new FileSink(path, undefined, undefined, 1000);
  const mark = await sink.position();
  await sink.write(batchOf(page('other', 40)));
  await sink.close();
  await assert.rejects(
    readBack(new FileSink(path, undefined, undefined, 1000), mark),
    (err: unknown) =>
      isHelError(err) &&
      err.code === 'HEL_OUTPUT' &&
      /more than 1000 bytes were written after this source's last checkpoint/.test(err.message) &&
      /move the output file aside/.test(err.context.hint ?? ''),
  );
});

/** A store whose commits fail from the `failAt`-th page commit on: a crash right after a page was written and flushed. */
class CrashingStore extends MemoryStateStore {
  private pageCommits = 0;
  failAt = Infinity;
  override commit(source: string, checkpoint: Checkpoint): Promise<void> {
    if (checkpoint.keys.cursor !== undefined && ++this.pageCommits >= this.failAt) return Promise.reject(new HelError('HEL_STATE', 'killed'));
    return super.commit(source, checkpoint);
  }
}

async function runtimeFor(t: TestContext, sources: Record<string, unknown>, sink: FileSink, store: MemoryStateStore, options: { log?: string[]; commit?: boolean } = {}): Promise<Runtime> {
  const config = parseConfig(JSON.stringify({ sources }), 'hel.yaml', { env: {} });
  const transportFor = runtimeTransports(t, systemClock);
  const destination = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      options.log?.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ level: 'info', format: 'json', destination });
  return Runtime.create({
    config,
    store,
    sink,
    commit: options.commit,
    clock: systemClock,
    logger,
    events: openEventBus(logger),
    transportFor,
  });
}

test('two sources share a file; a page written but not committed is read back at start and not written again', async (t) => {
  const a = makeEvents(9);
  const b = makeEvents(9, 100);
  const api = await fakeApi(t, (req) => cursorFeed(req.path === '/a' ? a : b, 3)(req));
  const dir = tempDir(t);
  const path = join(dir, 'events.ndjson');
  const pagination = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };
  const sources = {
    a: { url: `${api.url}/a`, pagination, dedupe: { id_path: 'uuid' } },
    b: { url: `${api.url}/b`, pagination, dedupe: { id_path: 'uuid' } },
  };
  const store = new CrashingStore();
  store.failAt = 3; // from the third page commit on (either source), commits fail after the page is in the file
  const first = await runtimeFor(t, sources, new FileSink(path), store);
  await assert.rejects(first.runOnce(never), (err: unknown) => isHelError(err) && err.code === 'HEL_STATE');
  await first.sink.close();
  const written = parseLines(readFileSync(path, 'utf8')).length;
  const committed = offsetOf((await store.load('a')).keys.cursor) + offsetOf((await store.load('b')).keys.cursor);
  assert.ok(written > committed, `pages in the file without their checkpoint (${written} lines, ${committed} committed)`);

  store.failAt = Infinity;
  const second = await runtimeFor(t, sources, new FileSink(path), store);
  const reports = await second.runOnce(never);
  await second.sink.close();
  assert.ok(reports.every((r) => r.outcome.ok));
  const uuids = parseLines(readFileSync(path, 'utf8')).map((l) => l.event.uuid as string);
  assert.deepEqual([...uuids].sort(), [...a, ...b].map((e) => e.uuid).sort(), 'every event exactly once');
  assert.equal((await store.load('a')).keys.output_position, undefined, 'no mark once the poll is over');
});

test("a checkpoint's position opening the file first does not stop the daily rotation of a file from an earlier day", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.ndjson');
  writeFileSync(path, '{"old":true}\n');
  utimesSync(path, new Date('2026-03-01T12:00:00Z'), new Date('2026-03-01T12:00:00Z'));
  const sink = new FileSink(path, { kind: 'daily' }, () => new Date('2026-03-02T08:00:00Z'));
  await sink.position();
  await sink.write(batchOf('{"new":true}\n'));
  await sink.close();
  assert.equal(readFileSync(join(dir, 'events.2026-03-01.ndjson'), 'utf8'), '{"old":true}\n');
  assert.equal(readFileSync(path, 'utf8'), '{"new":true}\n');
});

test('a crash, then the output moved away: start-up warns that the page in flight cannot be read back, and `hel test` without --commit saves nothing', async (t) => {
  const events = makeEvents(9);
  const api = await fakeApi(t, cursorFeed(events, 3));
  const dir = tempDir(t);
  const path = join(dir, 'events.ndjson');
  const sources = { a: { url: `${api.url}/a`, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' }, dedupe: { id_path: 'uuid' } } };
  const store = new CrashingStore();
  store.failAt = 2;
  const first = await runtimeFor(t, sources, new FileSink(path), store);
  await assert.rejects(first.runOnce(never));
  await first.sink.close();
  const mark = (await store.load('a')).keys.output_position;
  assert.ok(mark, 'the crash left a mark');

  store.failAt = Infinity;
  const peek = await runtimeFor(t, sources, new FileSink(path), store, { commit: false });
  assert.equal(peek.source('a')!.state.dedupe!.has(events[3]!.uuid), true, 'the page in flight was read back');
  assert.equal((await store.load('a')).keys.output_position, mark, 'without --commit, nothing is saved');
  await peek.sink.close();

  renameSync(path, join(dir, 'archive.json'));
  const log: string[] = [];
  const second = await runtimeFor(t, sources, new FileSink(path), store, { log });
  assert.match(log.join(''), /the output file of the last checkpoint is gone/);
  assert.equal((await store.load('a')).keys.output_position, undefined, 'the stale mark is dropped');
  assert.ok((await second.runOnce(never)).every((r) => r.outcome.ok));
  await second.sink.close();
});

test("a source taken over by another instance on this host: the previous holder's file is read back, and the outputs together hold every event once", async (t) => {
  const events = makeEvents(9);
  const api = await fakeApi(t, cursorFeed(events, 3));
  const dir = tempDir(t);
  const sources = { a: { url: `${api.url}/a`, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' }, dedupe: { id_path: 'uuid' } } };
  const store = new CrashingStore();
  store.failAt = 2; // the second page is in the first instance's file without its checkpoint
  const first = await runtimeFor(t, sources, new FileSink(join(dir, 'first.ndjson')), store);
  await assert.rejects(first.runOnce(never));
  await first.sink.close();
  const mark = JSON.parse((await store.load('a')).keys.output_position!) as { file: string; host: string };
  assert.equal(mark.file, join(dir, 'first.ndjson'), "the checkpoint names the writer's file");

  store.failAt = Infinity;
  const log: string[] = [];
  const second = await runtimeFor(t, sources, new FileSink(join(dir, 'second.ndjson')), store, { log });
  assert.match(log.join(''), /read back 3 events written to .*first\.ndjson after the last checkpoint/);
  assert.doesNotMatch(log.join(''), /gone/);
  assert.ok((await second.runOnce(never)).every((r) => r.outcome.ok));
  await second.sink.close();
  const uuids = ['first', 'second'].flatMap((n) => parseLines(readFileSync(join(dir, `${n}.ndjson`), 'utf8')).map((l) => l.event.uuid as string));
  assert.deepEqual([...uuids].sort(), events.map((e) => e.uuid).sort(), 'every event exactly once across the two files');
});

test("a mark naming another host's file is not read: the warning says why, instead of a file being gone", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'e.ndjson');
  writeFileSync(path, '{"n":1}\n');
  const elsewhere = JSON.stringify({ identity: '1:2', offset: 0, file: path, host: 'some-other-host.invalid' });
  const result = await new FileSink(join(dir, 'mine.ndjson')).readBack(elsewhere, () => assert.fail('nothing is read'), never);
  assert.ok('unreadable' in result);
  assert.match(result.unreadable, /on host some-other-host\.invalid, another host's output, which cannot be read from/);
  await assert.rejects(
    new FileSink(path).readBack('{"identity":"x"}', () => undefined, never),
    (err: unknown) => isHelError(err) && err.code === 'HEL_OUTPUT',
  );

  // Another instance's file on this host with too long a tail to read back: a warning, not a stop of this instance.
  const other = new FileSink(path, undefined, undefined, 10);
  await other.flush();
  const mark = await other.position();
  appendFileSync(path, `${'{"n":2}\n'.repeat(10)}`);
  const tooLong = await new FileSink(join(dir, 'mine.ndjson'), undefined, undefined, 10).readBack(mark, () => undefined, never);
  assert.ok('unreadable' in tooLong);
  assert.match(tooLong.unreadable, /names .*e\.ndjson, which cannot be read back \(.*more than 10 bytes were written/);
  await other.close();
});
