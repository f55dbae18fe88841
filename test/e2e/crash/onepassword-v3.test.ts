import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crashSeed, crashUntilDone, isJson, prng } from '../../helpers/crash.js';
import { startHel, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { startOnePasswordMock } from '../../../src/integrations/onepassword/mock/server.js';

// Issue 18 item 4: v3 audit events resume from the last committed insert_time. SIGKILL at random
// points, restart until a run completes: every event is delivered, and (with dedupe) none twice.

const TOTAL = 3000;
const PAGE = 50;
const MAX_KILLS = 8;
const MAX_RESTARTS = 40;

test('v3: SIGKILL at random points, restart until done: every event once', async (t) => {
  const seed = crashSeed();
  const random = prng(seed);
  const mock = await startOnePasswordMock({ events: TOTAL, seed: 'v3-crash', rateLimit: false });
  t.after(() => mock.close());
  const dir = tempDir(t);
  const output = join(dir, 'events.ndjson');
  const config = writeConfig(dir, {
    global: { state: { path: join(dir, 'state.db') }, output: { path: output } },
    sources: { acme: { type: 'onepassword', base_url: mock.url, api_version: 'v3', streams: ['auditevents'], start_time: '-3d', limit: PAGE } },
  });
  const v3Requests = () => mock.requests.filter((r) => r.path === '/api/v3/auditevents').length;
  // Each run is killed 10..210 ms after its first v3 request until the kills are spent; the first run
  // that completes ends the loop.
  const { kills } = await crashUntilDone({
    requests: v3Requests,
    kills: MAX_KILLS,
    minDelayMs: 10,
    maxDelayMs: 210,
    startupKills: false,
    stopAtFirstCompletion: true,
    maxRuns: MAX_RESTARTS + 1,
    random,
    seed,
    start: () => startHel(t, ['run', '--once', '-c', config], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } }),
  });
  assert.ok(kills >= 1, 'at least one run was killed');

  const raw = readFileSync(output, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const counts = new Map<string, number>();
  for (const line of raw.filter(isJson)) {
    const uuid = (JSON.parse(line) as { event: { uuid: string } }).event.uuid;
    counts.set(uuid, (counts.get(uuid) ?? 0) + 1);
  }
  assert.equal(counts.size, TOTAL, `every event delivered (seed ${seed}, ${kills} kills)`);
  const twice = [...counts.values()].filter((n) => n > 1).length;
  assert.equal(twice, 0, `no event twice (seed ${seed}, ${kills} kills)`);
  t.diagnostic(`seed ${seed}: ${kills} kills, ${raw.length} lines, ${v3Requests()} v3 requests`);
});
