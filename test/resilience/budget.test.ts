import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HelError } from '../../src/errors.js';
import { BudgetRegistry, RequestBudget } from '../../src/resilience/budget.js';
import { resilience } from '../helpers/resilience-config.js';
import { FakeClock } from '../helpers/clock.js';
import { context, harness, post, thrown } from '../helpers/transport-harness.js';
import { json, scriptedServer } from '../helpers/loopback.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** The most requests in any `windowMs` span, counting `times` the way a sliding-window server would. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

test('three sources sharing one budget never exceed it, as counted by the server', async (t) => {
  const clock = new FakeClock();
  const budgets = new BudgetRegistry(clock);
  const arrivals: number[] = [];
  const server = await scriptedServer(t, (_n, _req, res) => {
    arrivals.push(clock.now());
    json(res, 200, { items: [], cursor: 'c', has_more: false });
  });
  const rateLimit = { budget: 'onepassword', max_requests_per_minute: 10, max_requests_per_hour: 25 };
  const streams = ['auditevents', 'signinattempts', 'itemusages'].map((stream) => ({
    stream,
    transport: harness(t, { clock, budgets, source: `op-${stream}`, resilience: resilience({ rate_limit: rateLimit }) }).transport,
  }));
  await Promise.all(
    streams.map(async ({ stream, transport }) => {
      for (let i = 0; i < 12; i++) await transport.send(post(`${server.url}/api/v2/${stream}`), context({ source: `op-${stream}` }));
    }),
  );
  assert.equal(arrivals.length, 36);
  assert.ok(busiestWindow(arrivals, MINUTE) <= 10, `per minute: ${busiestWindow(arrivals, MINUTE)}`);
  assert.ok(busiestWindow(arrivals, HOUR) <= 25, `per hour: ${busiestWindow(arrivals, HOUR)}`);
  assert.ok(arrivals.at(-1)! - arrivals[0]! >= HOUR, 'the hourly cap pushed the last requests past the hour');
});

test('sources naming the same budget share it; the strictest limit wins', () => {
  const clock = new FakeClock();
  const budgets = new BudgetRegistry(clock);
  const a = budgets.budgetFor('a', { respect_headers: true, page_delay_secs: 0, budget: 'acct', max_requests_per_minute: 600 });
  const b = budgets.budgetFor('b', { respect_headers: true, page_delay_secs: 0, budget: 'acct', max_requests_per_minute: 100 });
  assert.ok(a !== undefined && a === b);
  assert.equal(budgets.budgetFor('c', { respect_headers: true, page_delay_secs: 0 }), undefined, 'no limits, no budget');
  assert.notEqual(budgets.budgetFor('d', { respect_headers: true, page_delay_secs: 0, max_requests_per_hour: 5 }), a);
});

test('the budget applies a limit set by a source registered later', async () => {
  const clock = new FakeClock();
  const budgets = new BudgetRegistry(clock);
  const first = budgets.budgetFor('a', { respect_headers: true, page_delay_secs: 0, budget: 'acct' })!;
  budgets.budgetFor('b', { respect_headers: true, page_delay_secs: 0, budget: 'acct', max_requests_per_minute: 2 });
  const signal = new AbortController().signal;
  for (let i = 0; i < 3; i++) (await first.acquire(signal))();
  assert.deepEqual(clock.sleeps, [MINUTE]);
});

test('waiting for the budget is cancellable', async () => {
  const clock = {
    now: () => 0,
    sleep: (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('cancelled'), { code: 'HEL_CANCELLED' })))),
  };
  const budget = new RequestBudget(clock);
  budget.tighten(MINUTE, 1);
  const controller = new AbortController();
  await budget.acquire(controller.signal);
  const waiting = budget.acquire(controller.signal, 'src');
  controller.abort();
  const err = (await thrown(() => waiting)) as HelError;
  assert.equal(err.code, 'HEL_CANCELLED');
});

test('retries draw from the budget too', async (t) => {
  const clock = new FakeClock();
  const server = await scriptedServer(t, (n, _req, res) => (n < 2 ? json(res, 500, {}) : json(res, 200, {})));
  const h = harness(t, { clock, resilience: resilience({ rate_limit: { max_requests_per_minute: 2 } }) });
  await h.transport.send(post(server.url), context());
  // Two failed attempts fill the minute: the backoffs (2 s, 4 s) are followed by the budget's wait.
  assert.deepEqual(clock.sleeps, [2000, 4000, MINUTE - 2000 - 4000]);
});
