import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { Runtime } from '../../src/engine/runtime.js';
import { createLogger } from '../../src/log/logger.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import { fakeApi, held, type Handler, type Reply } from '../helpers/fake-api.js';
import { waitFor, within } from '../helpers/hel-process.js';
import { FakeClock } from '../helpers/clock.js';
import { CollectingSink } from '../helpers/collecting-sink.js';
import { runtimeTransports } from '../helpers/transport-harness.js';
import { openEventBus } from '../../src/app/event-bus.js';

async function start(t: TestContext, sources: Record<string, unknown>, random: () => number) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1), { holdSleeps: true });
  const sink = new CollectingSink();
  const store = new MemoryStateStore();
  const config = parseConfig(JSON.stringify({ sources }), 'scheduler.yaml', { env: {} });
  const transportFor = runtimeTransports(t, clock);
  const logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const runtime = await Runtime.create({
    config,
    store,
    sink,
    clock,
    logger,
    events: openEventBus(logger),
    random,
    transportFor,
  });
  const controller = new AbortController();
  const done = runtime.runForever(controller.signal);
  t.after(() => controller.abort());
  return { clock, sink, store, runtime, controller, done };
}

const once: Reply = { body: { items: [{ id: 'x' }] } };
const noRetry = { retries: { max_attempts: 1 } };

test('per-source loops: a slow source and a failing source do not delay a fast one; abort stops promptly', async (t) => {
  const slowReply = held();
  const ref: { clock?: FakeClock } = {};
  const routes: Record<string, Handler> = {
    '/fast': () => {
      // The poll takes 5 s of clock time: the next delay must still be the full interval.
      ref.clock!.time += 5000;
      return once;
    },
    '/slow': () => slowReply.promise,
    '/fail': () => ({ status: 500, body: { error: 'boom' } }),
  };
  const api = await fakeApi(t, (req) => routes[req.path]!(req));
  const { clock, sink, runtime, controller, done } = await start(
    t,
    {
      fast: { url: `${api.url}/fast`, schedule: { interval_secs: 10, jitter_secs: 2 }, resilience: noRetry },
      slow: { url: `${api.url}/slow`, schedule: { interval_secs: 60 }, resilience: noRetry },
      failing: { url: `${api.url}/fail`, schedule: { interval_secs: 30, jitter_secs: 0 }, resilience: noRetry },
    },
    () => 0.75,
  );
  ref.clock = clock;
  const pendingOf = (ms: number) => [...clock.pending].find((s) => s.ms === ms);
  const fastStatus = () => runtime.statuses().find((s) => s.name === 'fast')!;

  for (let cycle = 1; cycle <= 3; cycle++) {
    await waitFor(() => pendingOf(11_000) !== undefined, 5000, `fast sleep #${cycle}`);
    assert.equal(sink.lines('fast').length, cycle, 'the sleep starts after the poll has written its page');
    assert.equal(fastStatus().nextPollAt, new Date(clock.time + 11_000).toISOString(), 'the delay is measured from the end of the poll');
    pendingOf(11_000)!.release();
  }
  await waitFor(() => pendingOf(11_000) !== undefined, 5000, 'fast sleep #4');
  assert.equal(api.on('/fast').length, 4);
  assert.equal(api.on('/slow').length, 1, 'the slow source is still on its first page');
  assert.equal(api.on('/fail').length, 1);
  assert.ok(pendingOf(30_000), 'the failing source waits its own interval');
  assert.equal(runtime.statuses().find((s) => s.name === 'failing')!.lastErrorCode, 'HEL_HTTP_STATUS');

  pendingOf(30_000)!.release();
  await waitFor(() => api.on('/fail').length === 2 && pendingOf(30_000) !== undefined, 5000, 'second failing poll');
  assert.equal(api.on('/fast').length, 4, "the failing source's poll did not trigger the fast one");

  const fastSleeps = clock.sleeps.filter((ms) => ms === 11_000).length;
  assert.equal(fastSleeps, 4);
  assert.deepEqual([...new Set(clock.sleeps)].sort(), [11_000, 30_000], 'no other sleeps (the slow source never slept)');

  const stopped = Date.now();
  controller.abort();
  await within(2000, done, 'runForever after abort');
  assert.ok(Date.now() - stopped < 2000);
  assert.equal(clock.pending.size, 0);
  slowReply.release(once);
  assert.equal(sink.lines('slow').length, 0, 'the abandoned page was not written');
});

test('each delay is interval ± jitter with the injected random', async (t) => {
  const api = await fakeApi(t, () => once);
  const values = [0, 1, 0.5, 0.25];
  let i = 0;
  const { clock, controller, done } = await start(t, { only: { url: `${api.url}/x`, schedule: { interval_secs: 10, jitter_secs: 4 } } }, () => values[i++ % values.length]!);
  for (let n = 1; n <= 4; n++) {
    await waitFor(() => clock.pending.size === 1, 5000, `sleep #${n}`);
    [...clock.pending][0]!.release();
  }
  await waitFor(() => clock.pending.size === 1, 5000, 'sleep #5');
  assert.deepEqual(clock.sleeps, [6000, 14_000, 10_000, 8000, 6000]);
  assert.equal(api.requests.length, 5);
  controller.abort();
  await within(2000, done, 'runForever after abort');
});

test('a jitter larger than the interval never gives a negative delay', async (t) => {
  const api = await fakeApi(t, () => once);
  const { clock, controller, done } = await start(t, { only: { url: `${api.url}/x`, schedule: { interval_secs: 1, jitter_secs: 5 } } }, () => 0);
  await waitFor(() => clock.pending.size === 1, 5000, 'first sleep');
  assert.equal(clock.sleeps[0], 0);
  controller.abort();
  await within(2000, done, 'runForever after abort');
});
