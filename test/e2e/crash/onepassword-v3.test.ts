import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isJson, prng } from '../../helpers/crash.js';
import { startHel, waitFor, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { startOnePasswordMock } from '../../../src/integrations/onepassword/mock/server.js';

// Issue 18 item 4: v3 audit events resume from the last committed insert_time. SIGKILL at random
// points, restart until a run completes: every event is delivered, and (with dedupe) none twice.

const TOTAL = 3000;
const PAGE = 50;
const MAX_KILLS = 8;
const MAX_RESTARTS = 40;

test('v3: SIGKILL at random points, restart until done: every event once', async (t) => {
  const seed = Number(process.env.HEL_CRASH_SEED ?? Date.now() % 1_000_000);
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
  let kills = 0;
  let finished = false;
  for (let run = 0; run <= MAX_RESTARTS && !finished; run++) {
    const before = v3Requests();
    const proc = startHel(t, ['run', '--once', '-c', config], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void proc.exited.then((e) => (exit = e));
    if (kills < MAX_KILLS) {
      await waitFor(() => v3Requests() > before || exit !== undefined, 30_000, `run ${run}'s first request (seed ${seed})`);
      await new Promise((r) => setTimeout(r, 10 + Math.floor(random() * 200)));
      if (exit === undefined) {
        proc.child.kill('SIGKILL');
        kills++;
      }
    }
    const result = await proc.exited;
    if (result.signal === 'SIGKILL') continue;
    assert.equal(result.code, 0, `run ${run} failed (seed ${seed}): ${proc.stderr()}`);
    finished = true;
  }
  assert.ok(finished, `no run completed (seed ${seed})`);
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
