import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { Runtime } from '../../src/engine/runtime.js';
import { createLogger } from '../../src/log/logger.js';
import type { BatchSink } from '../../src/sink/batch-sink.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import { fakeApi } from '../helpers/fake-api.js';
import { FakeClock } from '../helpers/clock.js';
import { startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { runtimeTransports } from '../helpers/transport-harness.js';
import { openEventBus } from '../../src/app/event-bus.js';

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
  await waitFor(
    () => /"source":"low".*"msg":"poll skipped: load shedding: the output is under backpressure \(.*\) and priority 2 is below global.load_shedding.skip_priority_below 5/.test(proc.stderr()),
    20_000,
    "the low source's skipped poll",
  );
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(count('low'), low, 'the low-priority source fetched nothing while the output was down');
  assert.ok(count('mid') > mid, 'a source at the threshold is not shed');
  assert.doesNotMatch(proc.stderr(), /"source":"(high|mid)".*poll skipped: load shedding/);

  down = false;
  await waitFor(() => count('low') > low, 60_000, 'the low source polling again after recovery');
  await waitFor(() => accepted.some((id) => id === `low-${api.on('/low').at(-1)!.n}`), 60_000, "the low source's new event delivered");
  assert.match(proc.stderr(), /load shedding ends, every source polls/);
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(20_000, proc.exited, 'exit'), { code: 0, signal: null });
  const fetched = api.requests.map((r) => `${r.path.slice(1)}-${r.n}`);
  assert.deepEqual([...accepted].sort(), [...new Set(accepted)].sort(), 'nothing delivered twice');
  for (const id of fetched.filter((f) => f.startsWith('low-'))) assert.ok(accepted.includes(id), `${id} was delivered`);
});

test('load shedding with an injected clock: each tick of a shed source is skipped and counted; sources without priority are 10 and never shed', async (t) => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1), { holdSleeps: true });
  const api = await fakeApi(t, (req) => ({ body: { items: [{ id: `${req.path}-${req.n}` }] } }));
  let healthy = true;
  const sink: BatchSink = {
    description: 'test output',
    write: () => Promise.resolve(),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    healthy: () => healthy,
    problem: () => (healthy ? undefined : 'the receiver answers 503'),
  };
  const sources = { low: { url: `${api.url}/low`, priority: 0, schedule: { interval_secs: 10 } }, plain: { url: `${api.url}/plain`, schedule: { interval_secs: 10 } } };
  const config = parseConfig(JSON.stringify({ global: { load_shedding: { skip_priority_below: 10 } }, sources }), 'hel.yaml', { env: {} });
  const transportFor = runtimeTransports(t, clock);
  const runtime = await Runtime.create({
    config,
    store: new MemoryStateStore(),
    sink,
    clock,
    logger: createLogger({ level: 'silent' }),
    events: openEventBus(createLogger({ level: 'silent' })),
    random: () => 0.5,
    transportFor,
  });
  const controller = new AbortController();
  const done = runtime.runForever(controller.signal);
  const tick = async (n: number) => {
    await waitFor(() => clock.pending.size === 2, 15_000, `both sources asleep (${n})`);
    for (const sleep of [...clock.pending]) sleep.release();
  };
  const status = (name: string) => runtime.statuses().find((s) => s.name === name)!;

  await waitFor(() => clock.pending.size === 2, 15_000, 'both asleep after their first poll');
  healthy = false;
  await tick(1);
  await tick(2);
  await waitFor(() => clock.pending.size === 2, 15_000, 'both asleep again');
  assert.equal(api.on('/low').length, 1, 'only the poll before the output failed');
  assert.equal(status('low').pollsSkipped, 2, 'two ticks skipped');
  assert.equal(api.on('/plain').length, 3, 'a source without priority (10) is never shed');

  healthy = true;
  await tick(3);
  await waitFor(() => api.on('/low').length === 2, 15_000, 'the shed source polling again');
  controller.abort();
  await within(5000, done, 'stop');
});
