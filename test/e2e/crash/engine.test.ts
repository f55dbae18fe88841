import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crashSeed, crashUntilDone, isJson, prng } from '../../helpers/crash.js';
import { cursorAt, cursorFeed, cursorsSent, fakeApi, makeEvents, offsetOf } from '../../helpers/fake-api.js';
import { parseLines, startHel, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';

const TOTAL = 3000;
const PAGE = 50;
const MAX_RESTARTS = 60;
/** After this many kills, or this long, the runs are left to finish: that bounds the test's time. */
const MAX_KILLS = 10;
const KILL_WINDOW_MS = 20_000;

test('SIGKILL at random points, restart until done: every event is in the output, no page skipped', async (t) => {
  const seed = crashSeed();
  const random = prng(seed);
  const events = makeEvents(TOTAL);
  const feed = cursorFeed(events, PAGE);
  const api = await fakeApi(t, async (req) => {
    await new Promise((r) => setTimeout(r, Math.floor(random() * 5)));
    return feed(req);
  });
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      audit: {
        url: `${api.url}/api/v2/events`,
        method: 'post',
        body: { limit: PAGE },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 1000 },
      },
    },
  });
  const output = join(dir, 'events.ndjson');
  const state = join(dir, 'st.db');

  /** Per run: the index of its first request in the server log. */
  const runStarts: number[] = [];
  const start = () => {
    runStarts.push(api.requests.length);
    return startHel(t, ['run', '--once', '-c', config, '--output', output, '--state', state]);
  };
  // Each run is killed 20..300 ms after its first request, until the kills or the window are spent;
  // the first run that completes ends the loop.
  const { kills } = await crashUntilDone({
    requests: () => api.requests.length,
    kills: MAX_KILLS,
    minDelayMs: 20,
    maxDelayMs: 300,
    killWindowMs: KILL_WINDOW_MS,
    startupKills: false,
    stopAtFirstCompletion: true,
    maxRuns: MAX_RESTARTS + 1,
    random,
    seed,
    start,
  });
  assert.ok(kills >= 1, 'at least one run was killed');

  // A kill mid-write may leave a torn line; the sink starts the next run on a new line, so only
  // whole fragments can appear, never two events glued together.
  const raw = readFileSync(output, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const torn = raw.filter((l) => !isJson(l));
  assert.ok(torn.length <= kills, `${torn.length} unreadable lines after ${kills} kills (seed ${seed})`);
  const lines = parseLines(raw.filter(isJson).join('\n'));
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.event.uuid as string, (counts.get(l.event.uuid as string) ?? 0) + 1);
  const missing = events.filter((e) => !counts.has(e.uuid)).map((e) => e.uuid);
  assert.deepEqual(missing, [], `events missing from the output (seed ${seed}, ${kills} kills)`);
  assert.ok(lines.length - TOTAL <= kills * PAGE, `at most the page in flight is repeated per crash: ${lines.length - TOTAL} repeats after ${kills} kills (seed ${seed})`);

  const offsets = cursorsSent(api.requests).map((c) => offsetOf(c));
  const requested = new Set(offsets);
  const gaps = [];
  for (let o = 0; o < TOTAL; o += PAGE) if (!requested.has(o)) gaps.push(cursorAt(o));
  assert.deepEqual(gaps, [], `pages never requested (seed ${seed})`);
  // Each run starts at or before where the previous one got to: a restart never jumps ahead.
  for (let i = 1; i < runStarts.length; i++) {
    const prevMax = Math.max(0, ...offsets.slice(runStarts[i - 1], runStarts[i]).map((o) => o + PAGE));
    const first = offsets[runStarts[i]!];
    if (first !== undefined) assert.ok(first <= prevMax, `run ${i} started at ${first}, past ${prevMax} (seed ${seed})`);
  }
  t.diagnostic(`seed ${seed}: ${runStarts.length} runs, ${kills} kills, ${torn.length} torn lines, ${lines.length - TOTAL} repeated lines, ${api.requests.length} requests`);
});
