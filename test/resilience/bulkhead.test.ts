import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { composeTransport } from '../../src/app/compose.js';
import { systemClock } from '../../src/clock.js';
import { resilienceSchema } from '../../src/config/schema.js';
import { BudgetRegistry } from '../../src/resilience/budget.js';
import { Bulkhead } from '../../src/resilience/bulkhead.js';
import { fakeApi, held, type Handler } from '../helpers/fake-api.js';
import { hel, parseLines, startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
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
  const config = writeConfig(dir, {
    global: { bulkhead: { max_concurrent_sources: 1 } },
    sources: Object.fromEntries(['a', 'b', 'c'].map((n) => [n, { url: `${api.url}/${n}`, schedule: { interval_secs: 0.2 } }])),
  });
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
    bulkhead: new Bulkhead(2),
  });
  const signal = new AbortController().signal;
  const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => transport.send({ method: 'GET', url: `${api.url}/r${i}`, headers: {} }, { source: 's', signal, page: 1 })));
  assert.deepEqual(
    replies.map((r) => r.status),
    [200, 200, 200, 200, 200, 200],
  );
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

/** getAuth gathers four parts of a credential at once, as a hook with several lookups does. */
const FOUR_AT_ONCE = `
async function getAuth(ctx) {
  var urls = [1, 2, 3, 4].map(function (i) { return ctx.env.PARTS_URL + "/part" + i; });
  var answers = await Promise.all(urls.map(function (u) { return fetch(u).then(function (r) { return r.json(); }); }));
  return { headers: { "X-Parts": String(answers.length) } };
}`;

async function runWithParts(t: { after(fn: () => unknown): void }, config: { global?: Record<string, unknown>; resilience?: Record<string, unknown> }): Promise<number> {
  const probe = concurrencyProbe(300);
  const parts = await fakeApi(t, probe.handler);
  const api = await fakeApi(t, () => ({ body: { items: [{ id: 'e1' }] } }));
  const dir = tempDir(t);
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true, allow_network: true }, ...config.global },
    sources: { parts: { url: `${api.url}/events`, hooks: { script_inline: FOUR_AT_ONCE }, ...(config.resilience ? { resilience: config.resilience } : {}) } },
  });
  const run = await hel(['run', '--once', '-c', cfg], { env: { PARTS_URL: parts.url } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(parts.requests.length, 4);
  assert.equal(api.requests[0]!.headers['x-parts'], '4');
  assert.equal(parseLines(run.stdout).length, 1);
  return probe.max();
}

test("bulkhead.max_concurrent_requests also caps a source's hook fetch() calls; without it they all go at once", async (t) => {
  assert.equal(await runWithParts(t, {}), 4, 'the control: four fetches overlap');
  assert.equal(await runWithParts(t, { resilience: { bulkhead: { max_concurrent_requests: 2 } } }), 2, 'the source cap');
  assert.equal(await runWithParts(t, { global: { bulkhead: { max_concurrent_requests: 1 } } }), 1, 'the global cap');
});

test("an OAuth2 token request takes a slot of the source's bulkhead: with a cap of 1 it is the one request on the wire", async (t) => {
  const token = held();
  let pageSlots = -1;
  const bulkhead = new Bulkhead(1);
  const api = await fakeApi(t, (req) => {
    if (req.path === '/token') return token.promise;
    pageSlots = bulkhead.inUse;
    return { body: { items: [] } };
  });
  const transport = composeTransport({
    source: 's',
    config: {
      auth: { type: 'oauth2', token_url: `${api.url}/token`, client_id_env: 'CID', client_secret_env: 'CSECRET', dpop: false },
      resilience: resilienceSchema.parse({ retries: { max_attempts: 1 } }),
    },
    secrets: new SecretResolver({ env: { CID: 'id', CSECRET: 'secret' }, path: '/nonexistent' }),
    clock: systemClock,
    budgets: new BudgetRegistry(systemClock),
    bulkhead,
  });
  const reply = transport.send({ method: 'GET', url: `${api.url}/events`, headers: {} }, { source: 's', signal: new AbortController().signal, page: 1 });
  await waitFor(() => api.requests.length === 1, 10_000, 'the token request');
  assert.equal(bulkhead.inUse, 1, 'the token request holds the slot');
  token.release({ body: { access_token: 'at', token_type: 'Bearer', expires_in: 3600 } });
  assert.equal((await reply).status, 200);
  assert.equal(pageSlots, 1, 'the page request held the slot on its own');
  assert.equal(bulkhead.inUse, 0);
  assert.equal(api.requests[1]!.headers.authorization, 'Bearer at');
});
