import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { hel, parseLines, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };

test('--output appends to an existing file across runs, and writes nothing to stdout', async (t) => {
  const events = makeEvents(6);
  const api = await fakeApi(t, cursorFeed(events, 4));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { audit: { url: `${api.url}/events`, pagination: cursor } } });
  const output = join(dir, 'out.ndjson');
  writeFileSync(output, '{"already":"there"}\n');
  const args = ['run', '--once', '-c', config, '--state', join(dir, 'st.db'), '--output', output];

  const first = await hel(args);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '');
  events.push(...makeEvents(2, 6));
  const second = await hel(args);
  assert.equal(second.code, 0, second.stderr);

  const lines = parseLines(readFileSync(output, 'utf8'));
  assert.deepEqual(lines[0], { already: 'there' });
  assert.deepEqual(
    lines.slice(1).map((l) => l.event.uuid),
    events.map((e) => e.uuid),
  );
});

test('--output-rotate size:1 rotates past 1 MB, at page boundaries, losing nothing', async (t) => {
  const PAGE = 400;
  const events = makeEvents(4 * PAGE).map((e) => ({ ...e, detail: 'x'.repeat(1000) }));
  const api = await fakeApi(t, (req) => {
    const offset = Number(req.query.get('offset'));
    return { body: { items: events.slice(offset, offset + PAGE) } };
  });
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { big: { url: `${api.url}/big`, pagination: { strategy: 'offset', limit: PAGE } } } });
  const output = join(dir, 'events.ndjson');
  const run = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db'), '--output', output, '--output-rotate', 'size:1']);
  assert.equal(run.code, 0, run.stderr);

  const files = readdirSync(dir)
    .filter((f) => f.startsWith('events'))
    .sort();
  assert.equal(files.length, 2, files.join(', '));
  assert.match(files[0]!, /^events\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.ndjson$/);
  assert.equal(files[1], 'events.ndjson');
  const rotated = parseLines(readFileSync(join(dir, files[0]!), 'utf8'));
  const current = parseLines(readFileSync(output, 'utf8'));
  assert.equal(rotated.length, 3 * PAGE, 'pages 1-3 (over 1 MB) in the rotated file');
  assert.equal(current.length, PAGE, 'page 4 in the new file');
  assert.ok(readFileSync(join(dir, files[0]!)).length >= 1024 * 1024);
  assert.deepEqual(
    [...rotated, ...current].map((l) => l.event.uuid),
    events.map((e) => e.uuid),
  );
});
