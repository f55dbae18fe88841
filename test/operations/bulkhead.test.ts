import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { composeTransport } from '../../src/app/compose.js';
import { systemClock } from '../../src/clock.js';
import { resilienceSchema } from '../../src/config/schema.js';
import { BudgetRegistry } from '../../src/resilience/budget.js';
import { Bulkhead } from '../../src/resilience/bulkhead.js';
import { fakeApi, type Handler } from '../helpers/fake-api.js';
import { hel, startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { SecretResolver } from '../../src/secrets/resolver.js';

/** A handler that answers after `ms` and records the most requests it held at once. */
function concurrencyProbe(ms: number): { handler: Handler; max(): number } {
  let inFlight = 0;
  let max = 0;
  return {
    handler: async () => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return { body: { items: [{ id: 'x' }] } };
    },
    max: () => max,
  };
}

test('global.bulkhead.max_concurrent_sources: 1 polls three sources one after another; without it they poll together', async (t) => {
  const probe = concurrencyProbe(400);
  const api = await fakeApi(t, probe.handler);
  const dir = tempDir(t);
  const sources = Object.fromEntries(['a', 'b', 'c'].map((n) => [n, { url: `${api.url}/${n}` }]));

  writeConfig(dir, { sources });
  const free = await hel(['run', '--once', '-c', join(dir, 'hel.yaml'), '--state', join(dir, 'free.db')]);
  assert.equal(free.code, 0, free.stderr);
  assert.equal(probe.max(), 3, 'without a bulkhead the three polls overlap (the control)');

  const probe2 = concurrencyProbe(400);
  const limited = await fakeApi(t, probe2.handler);
  writeConfig(dir, { global: { bulkhead: { max_concurrent_sources: 1 } }, sources: Object.fromEntries(['a', 'b', 'c'].map((n) => [n, { url: `${limited.url}/${n}` }])) });
  const run = await hel(['run', '--once', '-c', join(dir, 'hel.yaml'), '--state', join(dir, 'limited.db')]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(limited.requests.length, 3);
  assert.equal(probe2.max(), 1, 'one source at a time');
});

test('global.bulkhead.max_concurrent_sources: 1 in a continuous run: the scheduled polls take turns', async (t) => {
  const probe = concurrencyProbe(300);
  const api = await fakeApi(t, probe.handler);
  const dir = tempDir(t);
  const config = writeConfig(dir, { global: { bulkhead: { max_concurrent_sources: 1 } }, sources: Object.fromEntries(['a', 'b', 'c'].map((n) => [n, { url: `${api.url}/${n}`, schedule: { interval_secs: 0.2 } }])) });
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db')]);
  await waitFor(() => api.requests.length >= 9, 30_000, 'three polls of each source');
  assert.equal(probe.max(), 1);
  assert.deepEqual(new Set(api.requests.map((r) => r.path)), new Set(['/a', '/b', '/c']), 'no source starves');
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(10_000, proc.exited, 'exit'), { code: 0, signal: null });
});

test('resilience.bulkhead.max_concurrent_requests: the request path holds at most that many requests on the wire', async (t) => {
  const probe = concurrencyProbe(150);
  const api = await fakeApi(t, probe.handler);
  const transport = composeTransport({
    source: 's',
    config: { resilience: resilienceSchema.parse({ retries: { max_attempts: 1 } }) },
    secrets: new SecretResolver({ env: {}, path: '/nonexistent' }),
    clock: systemClock,
    budgets: new BudgetRegistry(systemClock),
    maxConcurrentRequests: 2,
  });
  const signal = new AbortController().signal;
  const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => transport.send({ method: 'GET', url: `${api.url}/r${i}`, headers: {} }, { source: 's', signal, page: 1 })));
  assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
  assert.equal(probe.max(), 2);
});

test('a request waiting for a bulkhead slot leaves the queue when its signal aborts, without taking a slot', async () => {
  const bulkhead = new Bulkhead(1);
  let release!: () => void;
  const holder = bulkhead.run(() => new Promise<void>((r) => (release = r)));
  const controller = new AbortController();
  const waiter = bulkhead.run(() => Promise.resolve('ran'), controller.signal);
  controller.abort();
  await assert.rejects(waiter, { code: 'HEL_CANCELLED' });
  assert.equal(bulkhead.inUse, 1);
  release();
  await holder;
  assert.equal(bulkhead.inUse, 0);
  assert.equal(await bulkhead.run(() => Promise.resolve('next')), 'next');
});
