import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { Runtime } from '../../src/engine/runtime.js';
import { HelError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import type { Checkpoint } from '../../src/state/store.js';
import { cursorAt, cursorFeed, cursorsSent, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { hel, parseLines, startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { FakeClock } from '../helpers/clock.js';
import { CollectingSink } from '../helpers/collecting-sink.js';
import { tempDir } from '../helpers/tmp.js';
import { runtimeTransports } from '../helpers/transport-harness.js';
import { openEventBus } from '../../src/app/event-bus.js';

const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };

test('state_store_fallback: memory: a state file that cannot be opened runs on memory, loudly (log, /readyz, /healthz, metric) and polls less often; without it, hel stops', async (t) => {
  const api = await fakeApi(t, cursorFeed(makeEvents(3), 10));
  const dir = tempDir(t);
  writeFileSync(join(dir, 'not-a-dir'), '');
  const unopenable = join(dir, 'not-a-dir', 'st.db');
  const sources = { a: { url: `${api.url}/a`, schedule: { interval_secs: 10 }, pagination: cursor } };

  const config = writeConfig(dir, { sources });
  const strict = await hel(['run', '--once', '-c', config, '--state', unopenable]);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /cannot open state file/);
  assert.equal(api.requests.length, 0);

  writeConfig(dir, { global: { api: { enabled: true, port: 0 }, degradation: { state_store_fallback: 'memory', reduced_frequency_multiplier: 3 } }, sources });
  const proc = startHel(t, ['run', '-c', config, '--state', unopenable], { env: { HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => parseLines(proc.stdout()).length === 3, 30_000, 'the events, collected on memory');
  assert.match(proc.stderr(), /"level":50.*"state_store_fallback_active":true.*STATE STORE FALLBACK: cannot open state file .*not-a-dir\/st\.db.*running on memory/);
  const port = proc
    .stderr()
    .split('\n')
    .map((l) => (l.startsWith('{') ? (JSON.parse(l) as Record<string, unknown>) : {}))
    .find((l) => l.listener === 'api')!.port;
  const base = `http://127.0.0.1:${String(port)}`;

  const ready = (await (await fetch(`${base}/readyz`)).json()) as Record<string, unknown>;
  assert.equal(ready.state_store_fallback_active, true);
  const health = (await (await fetch(`${base}/healthz`)).json()) as Record<string, unknown>;
  assert.equal(health.status, 'degraded');
  assert.equal(health.state_store_fallback_active, true);
  assert.match(String(health.state_store_fallback_reason), /cannot open state file/);
  assert.match(await (await fetch(`${base}/metrics`)).text(), /^hel_state_store_fallback_active 1$/m);
  let source: Record<string, string | null> = {};
  for (let tries = 0; source.next_poll_at == null && tries < 100; tries++) {
    source = ((await (await fetch(`${base}/api/v1/sources`)).json()) as { sources: Record<string, string | null>[] }).sources[0]!;
    if (source.next_poll_at == null) await new Promise((r) => setTimeout(r, 50));
  }
  const waitMs = Date.parse(source.next_poll_at!) - Date.parse(source.last_success_at!);
  assert.ok(waitMs >= 29_000 && waitMs <= 31_000, `the interval of 10 s is tripled while degraded (${waitMs} ms)`);
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(10_000, proc.exited, 'exit'), { code: 0, signal: null });
});

test('state_store_fallback never replaces a state file another hel holds: that would run two collectors', async (t) => {
  const api = await fakeApi(t, cursorFeed(makeEvents(3), 10));
  const dir = tempDir(t);
  const state = join(dir, 'st.db');
  const config = writeConfig(dir, { global: { degradation: { state_store_fallback: 'memory' } }, sources: { a: { url: `${api.url}/a`, schedule: { interval_secs: 3600 } } } });
  const first = startHel(t, ['run', '-c', config, '--state', state], { env: { HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => first.stderr().includes('poll done'), 30_000, 'the first hel polling');
  const second = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /is in use by another hel process/);
  assert.doesNotMatch(second.stderr, /FALLBACK/);
  assert.equal(api.requests.length, 1);
});

/** A memory store whose commits fail as a full disk makes SQLite fail, while `full` is set. */
class FillableStore extends MemoryStateStore {
  full = false;
  override commit(source: string, checkpoint: Checkpoint): Promise<void> {
    if (!this.full) return super.commit(source, checkpoint);
    return Promise.reject(
      new HelError('HEL_STATE', `cannot save state for ${source}: database or disk is full`, { source }, { cause: Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }) }),
    );
  }
}

async function runWith(t: TestContext, global: Record<string, unknown>, url: string) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1), { holdSleeps: true });
  const store = new FillableStore();
  const sink = new CollectingSink();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write: (c: Buffer, _e, cb) => (logLines.push(c.toString()), cb()) }) });
  const config = parseConfig(JSON.stringify({ global, sources: { a: { url, schedule: { interval_secs: 10 }, pagination: cursor, dedupe: { id_path: 'uuid' } } } }), 'hel.yaml', { env: {} });
  const transportFor = runtimeTransports(t, clock);
  const skipped: string[] = [];
  const events = openEventBus(logger);
  events.on('state.checkpoint_skipped', ({ source }) => skipped.push(source));
  const runtime = await Runtime.create({
    config,
    store,
    sink,
    clock,
    logger,
    random: () => 0.5,
    events,
    transportFor,
  });
  const controller = new AbortController();
  t.after(() => controller.abort());
  const done = runtime.runForever(controller.signal);
  const uuids = () => sink.lines().map((l) => (l.event as { uuid: string }).uuid);
  return { clock, store, logLines, skipped, done, controller, uuids, runtime };
}

test('emit_without_checkpoint: failed state writes are skipped loudly, polling goes on from memory (nothing twice) at the reduced frequency, and recovers', async (t) => {
  const events = makeEvents(4);
  const api = await fakeApi(t, cursorFeed(events, 10));
  const { clock, store, logLines, skipped, uuids, runtime, controller, done } = await runWith(t, { degradation: { emit_without_checkpoint: true, reduced_frequency_multiplier: 3 } }, `${api.url}/a`);
  const sleep = (ms: number) =>
    waitFor(() => [...clock.pending].find((s) => s.ms === ms) !== undefined, 15_000, `a sleep of ${ms} ms`)
      .catch((err: unknown) => {
        throw new Error(`${String(err)}; sleeps ${JSON.stringify(clock.sleeps)}\n${logLines.join('')}`);
      })
      .then(() => [...clock.pending].find((s) => s.ms === ms)!);

  (await sleep(10_000)).release();
  await waitFor(() => api.requests.length === 2, 15_000, 'the second poll');
  // The disk fills only once the second poll has committed and sleeps: filling it while that poll's
  // checkpoint is in flight would fail that one instead.
  const third = await sleep(10_000);
  store.full = true;
  events.push(...makeEvents(3, 4));
  third.release();
  await sleep(30_000);
  assert.deepEqual(
    uuids(),
    makeEvents(7).map((e) => e.uuid),
    'the events were delivered although their checkpoint failed',
  );
  assert.ok(skipped.length > 0 && skipped.every((s) => s === 'a'), 'the metric hook counted the skipped checkpoints');
  assert.match(
    logLines.join(''),
    /"level":50.*"degraded":true.*state write failed, checkpoint SKIPPED \(global.degradation.emit_without_checkpoint\): cannot save state for a: database or disk is full/,
  );
  assert.deepEqual(runtime.degradation.summary().sources_without_checkpoint, ['a']);
  assert.equal((await store.load('a')).keys.cursor, cursorAt(4), 'the store still holds the last written checkpoint');

  store.full = false;
  events.push(...makeEvents(2, 7));
  (await sleep(30_000)).release();
  await sleep(10_000);
  assert.equal(cursorsSent(api.requests).at(-1), cursorAt(7), 'the poll after the failures went on from the position in memory');
  assert.deepEqual(
    uuids(),
    makeEvents(9).map((e) => e.uuid),
    'nothing twice, nothing lost',
  );
  assert.equal((await store.load('a')).keys.cursor, cursorAt(9));
  assert.match(logLines.join(''), /state writes work again: checkpoint written, no longer degraded/);
  assert.deepEqual(runtime.degradation.summary().sources_without_checkpoint, []);
  controller.abort();
  await within(5000, done, 'stop');
});

test('without emit_without_checkpoint a failed state write stops the collector; with it, an anomaly (no I/O cause, e.g. a replaced file) still does', async (t) => {
  const api = await fakeApi(t, cursorFeed(makeEvents(2), 10));
  const strict = await runWith(t, {}, `${api.url}/a`);
  await waitFor(() => strict.clock.pending.size === 1, 15_000, 'the first sleep');
  strict.store.full = true;
  [...strict.clock.pending][0]!.release();
  await assert.rejects(within(5000, strict.done, 'stop'), { code: 'HEL_STATE' });

  const lenient = await runWith(t, { degradation: { emit_without_checkpoint: true } }, `${api.url}/a`);
  await waitFor(() => lenient.clock.pending.size === 1, 15_000, 'the first sleep');
  lenient.store.commit = () => Promise.reject(new HelError('HEL_STATE', 'state file st.db was replaced by another file while hel was running'));
  [...lenient.clock.pending][0]!.release();
  await assert.rejects(within(5000, lenient.done, 'stop'), /was replaced by another file/);
});
