import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('load shedding: while the HTTP output is down, a source below skip_priority_below skips its polls (a source at the threshold does not); all events arrive once after recovery', async (t) => {
  const api = await fakeApi(t, (req) => ({ body: { items: [{ id: `${req.path.slice(1)}-${req.n}` }] } }));
  let down = false;
  const accepted: string[] = [];
  const receiver = await fakeApi(t, (req) => {
    if (down) return { status: 503, body: { error: 'maintenance' } };
    for (const line of req.body.split('\n').filter(Boolean)) accepted.push((JSON.parse(line) as { event: { id: string } }).event.id);
    return { status: 200, body: {} };
  });
  const dir = tempDir(t);
  const source = (path: string, priority: number, interval: number) => ({ url: `${api.url}/${path}`, priority, schedule: { interval_secs: interval } });
  const config = writeConfig(dir, {
    global: { load_shedding: { skip_priority_below: 5 }, output: { http: { max_retries: 0, initial_backoff_secs: 0, batch_timeout_ms: 0 } } },
    sources: { high: source('high', 9, 0.3), mid: source('mid', 5, 1.2), low: source('low', 2, 1.2) },
  });
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db'), '--output', `${receiver.url}/ingest`], { env: { HEL_LOG_LEVEL: 'info' } });
  const count = (path: string) => api.on(`/${path}`).length;
  await waitFor(() => ['high', 'mid', 'low'].every((s) => accepted.some((id) => id.startsWith(`${s}-`))), 30_000, 'a first delivery of each source');

  down = true;
  await waitFor(() => /the HTTP receiver is down/.test(proc.stderr()), 20_000, 'the failing delivery');
  const low = count('low');
  const mid = count('mid');
  await waitFor(() => /"source":"low".*"msg":"poll skipped: load shedding: the output is under backpressure \(.*\) and priority 2 is below global.load_shedding.skip_priority_below 5/.test(proc.stderr()), 20_000, 'the low source\'s skipped poll');
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(count('low'), low, 'the low-priority source fetched nothing while the output was down');
  assert.ok(count('mid') > mid, 'a source at the threshold is not shed');
  assert.doesNotMatch(proc.stderr(), /"source":"(high|mid)".*poll skipped: load shedding/);

  down = false;
  await waitFor(() => count('low') > low, 60_000, 'the low source polling again after recovery');
  await waitFor(() => accepted.some((id) => id === `low-${api.on('/low').at(-1)!.n}`), 60_000, 'the low source\'s new event delivered');
  assert.match(proc.stderr(), /load shedding ends, every source polls/);
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(20_000, proc.exited, 'exit'), { code: 0, signal: null });
  const fetched = api.requests.map((r) => `${r.path.slice(1)}-${r.n}`);
  assert.deepEqual([...accepted].sort(), [...new Set(accepted)].sort(), 'nothing delivered twice');
  for (const id of fetched.filter((f) => f.startsWith('low-'))) assert.ok(accepted.includes(id), `${id} was delivered`);
});
