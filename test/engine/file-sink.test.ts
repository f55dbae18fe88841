import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isHelError } from '../../src/errors.js';
import { FileSink } from '../../src/sink/file.js';
import { cursorFeed, makeEvents } from '../helpers/fake-api.js';
import { batchOf } from '../helpers/batch.js';
import { LoggingSink, LoggingStore, pollOnce } from '../helpers/poll-once.js';
import { tempDir } from '../helpers/tmp.js';

test('FileSink daily rotation: a new day renames the file to <stem>.<previous day>.<ext>', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.ndjson');
  let now = new Date('2026-03-01T23:59:58Z');
  const sink = new FileSink(path, { kind: 'daily' }, () => now);
  await sink.write(batchOf('{"n":1}\n'));
  await sink.flush();
  now = new Date('2026-03-01T23:59:59Z');
  await sink.write(batchOf('{"n":2}\n'));
  now = new Date('2026-03-02T00:00:01Z');
  await sink.write(batchOf('{"n":3}\n'));
  await sink.close();
  assert.deepEqual(readdirSync(dir).sort(), ['events.2026-03-01.ndjson', 'events.ndjson']);
  assert.equal(readFileSync(join(dir, 'events.2026-03-01.ndjson'), 'utf8'), '{"n":1}\n{"n":2}\n');
  assert.equal(readFileSync(path, 'utf8'), '{"n":3}\n');
});

test("FileSink daily rotation after a restart uses the existing file's day", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.ndjson');
  writeFileSync(path, '{"old":true}\n');
  const yesterday = new Date('2026-03-01T12:00:00Z');
  utimesSync(path, yesterday, yesterday);
  const sink = new FileSink(path, { kind: 'daily' }, () => new Date('2026-03-02T08:00:00Z'));
  await sink.write(batchOf('{"new":true}\n'));
  await sink.close();
  assert.equal(readFileSync(join(dir, 'events.2026-03-01.ndjson'), 'utf8'), '{"old":true}\n');
  assert.equal(readFileSync(path, 'utf8'), '{"new":true}\n');
});

test('FileSink size rotation never splits a chunk and keeps appending after reopen', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'e.ndjson');
  const big = `${JSON.stringify({ pad: 'y'.repeat(700 * 1024) })}\n`;
  const sink = new FileSink(path, { kind: 'size', maxBytes: 1024 * 1024 }, () => new Date('2026-03-01T10:00:00Z'));
  await sink.write(batchOf(big));
  await sink.write(batchOf(big));
  await sink.close();
  assert.ok(!existsSync(join(dir, 'e.2026-03-01T10-00-00.ndjson')), 'under the limit before the second chunk: no rotation yet');
  const reopened = new FileSink(path, { kind: 'size', maxBytes: 1024 * 1024 }, () => new Date('2026-03-01T10:00:00Z'));
  await reopened.write(batchOf('{"after":1}\n'));
  await reopened.close();
  assert.equal(readFileSync(join(dir, 'e.2026-03-01T10-00-00.ndjson'), 'utf8'), big + big);
  assert.equal(readFileSync(path, 'utf8'), '{"after":1}\n');
});

test('each page is written, then flushed, then its cursor committed', async (t) => {
  const log: string[] = [];
  const result = await pollOnce(t, cursorFeed(makeEvents(5), 2), {}, new LoggingSink(log), new LoggingStore(log));
  assert.equal(result.emitted, 5);
  assert.deepEqual(log, ['write 2', 'flush', 'commit c000002', 'write 2', 'flush', 'commit c000004', 'write 1', 'flush', 'commit c000005']);
});

test('a failed flush (fsync) stops the poll before its page is committed', async (t) => {
  const log: string[] = [];
  const store = new LoggingStore(log);
  await assert.rejects(pollOnce(t, cursorFeed(makeEvents(5), 2), {}, new LoggingSink(log, 2), store), (err: unknown) => isHelError(err) && err.code === 'HEL_OUTPUT');
  assert.deepEqual(log, ['write 2', 'flush', 'commit c000002', 'write 2']);
  assert.equal((await store.load('s')).keys.cursor, 'c000002');
});

test('FileSink isolates a torn last line (a crash mid-write) so the next line stays readable', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.ndjson');
  writeFileSync(path, '{"a":1}\n{"b":2,"pa');
  const sink = new FileSink(path);
  await sink.write(batchOf('{"c":3}\n'));
  await sink.close();
  const lines = readFileSync(path, 'utf8').split('\n');
  assert.deepEqual(lines, ['{"a":1}', '{"b":2,"pa', '{"c":3}', '']);
  const clean = new FileSink(path);
  await clean.write(batchOf('{"d":4}\n'));
  await clean.close();
  assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n{"b":2,"pa\n{"c":3}\n{"d":4}\n', 'a file ending in a newline gets nothing extra');
});

test('FileSink shared by concurrent sources: one file handle, one torn-line repair, rotation between whole pages', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.ndjson');
  writeFileSync(path, '{"a":1}\n{"torn":');
  const openFds = (): number => readdirSync('/proc/self/fd').length;
  const fdsBefore = openFds();
  const sink = new FileSink(path, { kind: 'size', maxBytes: 64 * 1024 }, () => new Date('2026-03-01T10:00:00Z'));
  // 16 sources hand over a page each at once, then flush, as their polls do; twice over.
  const page = (source: number, round: number): Buffer => Buffer.from(Array.from({ length: 200 }, (_, i) => `${JSON.stringify({ source, round, i, pad: 'x'.repeat(100) })}\n`).join(''));
  for (const round of [1, 2]) {
    await Promise.all(
      Array.from({ length: 16 }, async (_, source) => {
        await sink.write(batchOf(page(source, round)));
        await sink.flush();
      }),
    );
  }
  assert.ok(openFds() <= fdsBefore + 1, `one handle for the shared file, found ${openFds() - fdsBefore} more fds`);
  await sink.close();
  assert.equal(openFds(), fdsBefore, 'close releases every handle');

  const files = readdirSync(dir).filter((f) => f.startsWith('events'));
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1));
  assert.equal(lines.filter((l) => l === '').length, 0, 'the torn line is repaired once: no empty lines');
  const events = lines.filter((l) => l.startsWith('{"source"')).map((l) => JSON.parse(l) as { source: number; round: number });
  assert.equal(events.length, 2 * 16 * 200, 'every line of every page, whole');
  assert.ok(files.length > 1, 'the size limit rotated the file');
});
