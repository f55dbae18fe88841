import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crashSeed, crashUntilDone, isJson, prng, startHelAppendingTo, startHelThroughCat } from '../../helpers/crash.js';
import { cursorFeed, fakeApi, makeEvents, type FeedEvent } from '../../helpers/fake-api.js';
import { startHel, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';

const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 10_000 };

/** Two sources sharing one output, `perSource` events each (padded by `pad` bytes), pages of `page`. */
async function twoSources(t: { after(fn: () => unknown): void }, perSource: number, page: number, random: () => number, pad = 0) {
  const padded = (events: FeedEvent[]) => (pad > 0 ? events.map((e) => ({ ...e, detail: 'x'.repeat(pad) })) : events);
  const a = padded(makeEvents(perSource));
  const b = padded(makeEvents(perSource, perSource));
  const feeds: Record<string, (req: Parameters<ReturnType<typeof cursorFeed>>[0]) => ReturnType<ReturnType<typeof cursorFeed>>> = { '/a': cursorFeed(a, page), '/b': cursorFeed(b, page) };
  const api = await fakeApi(t, async (req) => {
    await new Promise((r) => setTimeout(r, Math.floor(random() * 3)));
    return feeds[req.path]!(req);
  });
  const dir = tempDir(t);
  const source = (path: string) => ({ url: `${api.url}${path}`, method: 'post', body: { limit: page }, pagination: cursor, dedupe: { id_path: 'uuid', capacity: 10_000 } });
  const config = writeConfig(dir, { sources: { a: source('/a'), b: source('/b') } });
  return { api, dir, config, events: [...a, ...b] };
}

/** Every line of `files`: events by uuid, blank lines, and lines that are not JSON. */
function count(files: string[], events: FeedEvent[]) {
  const lines = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(0, -1));
  const unparsable = lines.filter((l) => l !== '' && !isJson(l));
  const seen = new Map<string, number>();
  for (const l of lines.filter((x) => x !== '' && isJson(x))) {
    const uuid = (JSON.parse(l) as { event: { uuid: string } }).event.uuid;
    seen.set(uuid, (seen.get(uuid) ?? 0) + 1);
  }
  const missing = events.filter((e) => !seen.has(e.uuid)).length;
  const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
  return { missing, duplicates, unparsable, blank: lines.filter((l) => l === '').length };
}

test('file with dedupe: SIGKILL at 22 random moments of a 200,000-event backfill (two sources, one rotating file): 0 missing, 0 duplicates', async (t) => {
  const seed = crashSeed();
  const random = prng(seed);
  const PAGE = 500;
  const { api, dir, config, events } = await twoSources(t, 100_000, PAGE, random);
  const output = join(dir, 'events.ndjson');
  const args = ['run', '--once', '-c', config, '--output', output, '--output-rotate', 'size:4', '--state', join(dir, 'st.db')];
  // Kills by progress (1..12 of a run's pages, then up to 50 ms): 15 progress kills × 12 stay below the 400 pages.
  const progress = { count: () => api.requests.length, maxSteps: 12 };
  const { runs, kills } = await crashUntilDone({ requests: () => api.requests.length, kills: 22, maxDelayMs: 50, random, seed, progress, start: () => startHel(t, args) });

  const files = readdirSync(dir)
    .filter((f) => f.startsWith('events'))
    .map((f) => join(dir, f));
  const { missing, duplicates, unparsable } = count(files, events);
  t.diagnostic(`seed ${seed}: ${runs} runs, ${kills} kills, ${files.length} files, ${unparsable.length} torn lines, ${api.requests.length} requests`);
  assert.ok(files.length > 5, `the file rotated (${files.length} files)`);
  assert.equal(missing, 0, `events missing (seed ${seed})`);
  assert.equal(duplicates, 0, `events written twice (seed ${seed})`);
  // A kill inside a write(2) can leave a torn line, which the next run closes with a newline;
  // its event is written again whole, so a torn fragment hides nothing.
  assert.ok(unparsable.length <= kills, `${unparsable.length} torn lines after ${kills} kills (seed ${seed})`);
});

test('stdout through `| cat >> out`: SIGKILL at 20 random moments: 0 missing, repeats within one page per source and kill, every line readable', async (t) => {
  const seed = crashSeed();
  const random = prng(seed);
  const PAGE = 250;
  // ~1 KB events: a page (~250 KB) is larger than the pipe's buffer, so a kill can catch it mid-write.
  const { api, dir, config, events } = await twoSources(t, 25_000, PAGE, random, 1000);
  const output = join(dir, 'out.ndjson');
  const args = ['run', '--once', '-c', config, '--state', join(dir, 'st.db')];
  // 1..6 of a run's 200 pages, then up to 50 ms.
  const progress = { count: () => api.requests.length, maxSteps: 6 };
  const { runs, kills } = await crashUntilDone({ requests: () => api.requests.length, kills: 20, maxDelayMs: 50, random, seed, progress, start: () => startHelThroughCat(t, args, output) });

  const { missing, duplicates, unparsable, blank } = count([output], events);
  t.diagnostic(`seed ${seed}: ${runs} runs, ${kills} kills, ${duplicates} repeats, ${blank} blank lines, ${api.requests.length} requests`);
  assert.equal(missing, 0, `events missing (seed ${seed})`);
  assert.deepEqual(unparsable, [], `every line is whole: pieces of at most PIPE_BUF, a fresh line per run (seed ${seed})`);
  assert.ok(duplicates <= kills * 2 * PAGE, `at most the page in flight of each source repeats per kill: ${duplicates} after ${kills} kills (seed ${seed})`);
  assert.ok(blank <= runs, 'one blank line at most per run: its fresh line');
});

test('stdout redirected to a file (`>> out`): SIGKILL at 10 random moments: 0 missing, repeats within one page per source and kill', async (t) => {
  const seed = crashSeed();
  const random = prng(seed);
  const PAGE = 250;
  const { api, dir, config, events } = await twoSources(t, 10_000, PAGE, random);
  const output = join(dir, 'out.ndjson');
  const args = ['run', '--once', '-c', config, '--state', join(dir, 'st.db')];
  // 1..4 of a run's 80 pages, then up to 50 ms.
  const progress = { count: () => api.requests.length, maxSteps: 4 };
  const { runs, kills } = await crashUntilDone({ requests: () => api.requests.length, kills: 10, maxDelayMs: 50, random, seed, progress, start: () => startHelAppendingTo(t, args, output) });

  const { missing, duplicates, unparsable } = count([output], events);
  t.diagnostic(`seed ${seed}: ${runs} runs, ${kills} kills, ${duplicates} repeats, ${unparsable.length} torn lines`);
  assert.equal(missing, 0, `events missing (seed ${seed})`);
  assert.ok(duplicates <= kills * 2 * PAGE, `at most the page in flight of each source repeats per kill: ${duplicates} after ${kills} kills (seed ${seed})`);
  // A kill inside a write(2) can tear one line; the next run starts on a fresh line.
  assert.ok(unparsable.length <= kills, `${unparsable.length} torn lines after ${kills} kills (seed ${seed})`);
});
