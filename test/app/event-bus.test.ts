import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openEventBus } from '../../src/app/event-bus.js';
import { openRuntime } from '../../src/cli/open-runtime.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { Metrics } from '../../src/server/metrics.js';
import { cursorFeed, fakeApi, makeEvents, type Handler } from '../helpers/fake-api.js';
import { tempDir } from '../helpers/tmp.js';
import { captureStream } from '../helpers/log-capture.js';

/** One collector in this process: its own config, output, state, logger, bus and metrics. */
async function collector(t: TestContext, handler: Handler, tag: string) {
  const api = await fakeApi(t, handler);
  const dir = tempDir(t);
  const yaml = JSON.stringify({
    sources: {
      // The same source name in both collectors: only the bus keeps their events apart.
      audit: {
        url: `${api.url}/events`,
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' },
        dedupe: { id_path: 'uuid' },
        resilience: { retries: { max_attempts: 3, initial_backoff_secs: 0, max_backoff_secs: 0 } },
      },
    },
  });
  const log = captureStream();
  const logger = createLogger({ level: 'info', format: 'json', destination: log.stream });
  const bus = openEventBus(logger);
  const metrics = new Metrics();
  metrics.subscribe(bus);
  const pages: number[] = [];
  bus.on('poll.page', ({ page }) => pages.push(page.emitted));
  const output = join(dir, `${tag}.ndjson`);
  const opened = await openRuntime(parseConfig(yaml, join(dir, 'hel.yaml'), { env: {} }), { output, state: join(dir, 'state.db') }, { logger, bus });
  t.after(() => opened.close());
  metrics.watch(opened.runtime);
  return { api, opened, metrics, pages, log, output };
}

const metric = (text: string, name: string) => Number(new RegExp(`^${name}\\{source="audit"\\} (\\d+)$`, 'm').exec(text)?.[1]);

void test('two runtimes in one process each see only their own events: metrics, logs, progress and status', async (t) => {
  const a = await collector(t, cursorFeed(makeEvents(3), 2), 'a');
  // B's first request gets a 503: one retry, and its warning, belong to B only.
  const feedB = cursorFeed(makeEvents(5, 100), 2);
  let failedOnce = false;
  const b = await collector(
    t,
    (req) => {
      if (failedOnce) return feedB(req);
      failedOnce = true;
      return { status: 503, body: { error: 'busy' } };
    },
    'b',
  );

  const [reportsA, reportsB] = await Promise.all([a.opened.runtime.runOnce(AbortSignal.timeout(20_000)), b.opened.runtime.runOnce(AbortSignal.timeout(20_000))]);
  assert.ok(reportsA[0]!.outcome.ok && reportsB[0]!.outcome.ok);

  const [textA, textB] = await Promise.all([a.metrics.render(), b.metrics.render()]);
  assert.equal(metric(textA, 'hel_events_emitted_total'), 3);
  assert.equal(metric(textB, 'hel_events_emitted_total'), 5);
  assert.equal(metric(textA, 'hel_retries_total'), 0);
  assert.equal(metric(textB, 'hel_retries_total'), 1);
  assert.deepEqual(a.pages, [2, 1]);
  assert.deepEqual(b.pages, [2, 2, 1]);
  assert.equal(a.opened.runtime.statuses()[0]!.eventsTotal, 3);
  assert.equal(b.opened.runtime.statuses()[0]!.eventsTotal, 5);
  const retryLines = (c: typeof a) => c.log.lines().filter((l) => l.attempt === 2 && l.source === 'audit').length;
  assert.equal(retryLines(a), 0);
  assert.equal(retryLines(b), 1);
  assert.equal(readFileSync(a.output, 'utf8').trim().split('\n').length, 3);
  assert.equal(readFileSync(b.output, 'utf8').trim().split('\n').length, 5);
});

void test('a subscriber that throws fails neither the poll nor the other subscribers; it is logged once per event name', async (t) => {
  const c = await collector(t, cursorFeed(makeEvents(5), 2), 'c');
  c.opened.bus.on('poll.page', () => {
    throw new Error('progress bar bug');
  });
  const after: number[] = [];
  c.opened.bus.on('poll.page', ({ page }) => after.push(page.index));

  const [report] = await c.opened.runtime.runOnce(AbortSignal.timeout(20_000));
  assert.ok(report!.outcome.ok, 'the poll succeeded');
  assert.deepEqual(after, [1, 2, 3], 'a later subscriber still got every page');
  assert.equal(metric(await c.metrics.render(), 'hel_events_emitted_total'), 5);
  assert.equal(readFileSync(c.output, 'utf8').trim().split('\n').length, 5, 'every event written');
  const failures = c.log.lines().filter((l) => /a subscriber of poll\.page failed: progress bar bug/.test(String(l.msg)));
  assert.equal(failures.length, 1, 'three failing pages, one log line');
  assert.equal(failures[0]!.level, 50);
});
