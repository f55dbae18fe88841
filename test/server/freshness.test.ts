import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOnePasswordMock } from '../../src/integrations/onepassword/mock/server.js';
import { Metrics } from '../../src/server/metrics.js';
import { freshnessOf } from '../../src/engine/freshness.js';
import type { SourceStatus } from '../../src/engine/status.js';
import { bearer, cleanupScope, getJson, startDaemon, waitFor } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { fakeApi } from '../helpers/fake-api.js';
import { globalConfig } from '../helpers/server-config.js';

// Issue 18 item 5: per source, the lag behind the newest delivered event and an optional
// "no events for N hours" alert with a per-stream threshold — in /api/v1, /metrics and the status page.

const HOUR = 3_600_000;
type Json = Record<string, unknown>;

void test('freshness against the 1Password mock running 30 hours behind: audit alerts at 24 h, item usage (48 h) does not', async (t) => {
  // The mock's clock is injected: every event it serves is from 30-32 hours ago.
  const mock = await startOnePasswordMock({ events: 20, spreadHours: 2, seed: 'fresh', now: () => Date.now() - 30 * HOUR, rateLimit: false });
  t.after(() => mock.close());
  // Hel stops before its directory is removed: the scope runs its cleanups last-in, first-out.
  const cleanup = cleanupScope();
  t.after(() => cleanup.run());
  const dir = tempDir(cleanup);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, mock.token);
  const config = {
    global: { ...globalConfig(dir), api: { enabled: true, address: '127.0.0.1', port: 0, token_env: 'HEL_TEST_API_TOKEN' } },
    sources: {
      acme: { type: 'onepassword', base_url: mock.url, token_file: tokenFile, start_time: '-3d', no_events_alert_hours: { auditevents: 24, itemusages: 48 } },
    },
  };
  const hel = await startDaemon(dir, config);
  cleanup.after(() => hel.stop());
  const api = hel.urls.api!;
  const sources = await waitFor(
    async () => {
      const list = (await getJson(`${api}/api/v1/sources`, bearer)).body.sources as Json[];
      return list.every((s) => s.last_event_time !== null) ? list : undefined;
    },
    20_000,
    'every stream to deliver',
  );
  const byName = new Map(sources.map((s) => [s.name, s]));
  const audit = byName.get('acme-auditevents')!;
  const usage = byName.get('acme-itemusages')!;
  const signin = byName.get('acme-signinattempts')!;
  assert.ok(Number(audit.event_lag_secs) >= 30 * 3600 && Number(audit.event_lag_secs) < 31 * 3600, String(audit.event_lag_secs));
  assert.deepEqual([audit.no_events_alert_hours, audit.no_events], [24, true]);
  assert.deepEqual([usage.no_events_alert_hours, usage.no_events], [48, false]);
  assert.deepEqual([signin.no_events_alert_hours, signin.no_events], [null, false], 'no threshold, no alert');

  const health = (await getJson(`${api}/healthz`)).body.sources as Json[];
  assert.equal(health.find((s) => s.name === 'acme-auditevents')?.no_events, true);

  const metrics = await (await fetch(`${hel.urls.metrics!}/metrics`)).text();
  assert.match(metrics, /^hel_no_events\{source="acme-auditevents"\} 1$/m);
  assert.match(metrics, /^hel_no_events\{source="acme-itemusages"\} 0$/m);
  assert.doesNotMatch(metrics, /hel_no_events\{source="acme-signinattempts"\}/);
  const lag = Number(/^hel_cursor_lag_seconds\{source="acme-auditevents"\} (\S+)$/m.exec(metrics)?.[1]);
  assert.ok(lag >= 30 * 3600 && lag < 31 * 3600, String(lag));

  const page = await (await fetch(`${api}/`, bearer)).text();
  const row = /<tr [^>]*data-source="acme-auditevents"[\s\S]*?<\/tr>/.exec(page)?.[0] ?? '';
  assert.match(row, /<td data-label="Freshness"><div>newest <time[^>]*>1 d 6 h ago<\/time><br><span class="no-events">no events for over 24 h<\/span>/);
  const usageRow = /<tr [^>]*data-source="acme-itemusages"[\s\S]*?<\/tr>/.exec(page)?.[0] ?? '';
  assert.match(usageRow, /alert after 48 h/);
});

void test('the freshness gauges read an injected clock: a source turns stale once its threshold passes, from start when it never delivered', async () => {
  let now = Date.parse('2027-01-10T12:00:00Z');
  const startedAt = now - HOUR;
  const status = (extra: Partial<SourceStatus>): SourceStatus => ({
    name: 'x',
    label: 'x',
    url: 'http://x',
    health: 'ok',
    polling: false,
    circuit: 'closed',
    consecutiveFailures: 0,
    eventsTotal: 0,
    eventsLastHour: 0,
    duplicatesTotal: 0,
    pollsTotal: 0,
    pollsSkipped: 0,
    ...extra,
  });
  const delivered = status({ name: 'delivered', lastEventTime: '2027-01-10T10:00:00Z', noEventsAlertHours: 3 });
  const silent = status({ name: 'silent', noEventsAlertHours: 2 });
  const metrics = new Metrics(() => now);
  metrics.watch({ startedAt, statuses: () => [delivered, silent] });

  let text = await metrics.render();
  assert.match(text, /^hel_cursor_lag_seconds\{source="delivered"\} 7200$/m);
  assert.match(text, /^hel_no_events\{source="delivered"\} 0$/m);
  assert.match(text, /^hel_no_events\{source="silent"\} 0$/m);
  assert.doesNotMatch(text, /hel_cursor_lag_seconds\{source="silent"\}/, 'no lag before any event');

  now += 1.5 * HOUR;
  text = await metrics.render();
  assert.match(text, /^hel_no_events\{source="delivered"\} 1$/m, '3.5 h since the newest event');
  assert.match(text, /^hel_no_events\{source="silent"\} 1$/m, '2.5 h since start without any event');
  assert.deepEqual(freshnessOf(delivered, now, startedAt), { lagSecs: 3.5 * 3600, alertAfterHours: 3, noEvents: true });
});

void test('a late page (an older event delivered after a newer one) does not move the newest event time back', async (t) => {
  const newer = '2026-11-20T10:00:00.000Z';
  const older = '2026-11-19T08:00:00.000Z';
  let poll = 0;
  const api = await fakeApi(t, () => {
    poll++;
    const items = poll === 1 ? [{ uuid: 'NEW', timestamp: newer }] : poll === 2 ? [{ uuid: 'LATE', timestamp: older }] : [];
    return { body: { items, cursor: `c${Math.min(poll, 2)}`, has_more: false } };
  });
  // Hel stops before its directory is removed: the scope runs its cleanups last-in, first-out.
  const cleanup = cleanupScope();
  t.after(() => cleanup.run());
  const dir = tempDir(cleanup);
  const hel = await startDaemon(dir, {
    global: { ...globalConfig(dir), api: { enabled: true, address: '127.0.0.1', port: 0, token_env: 'HEL_TEST_API_TOKEN' } },
    sources: {
      late: {
        url: api.url,
        method: 'post',
        body: {},
        schedule: { interval_secs: 1 },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' },
        response_events_path: 'items',
        timestamp_path: 'timestamp',
        dedupe: { id_path: 'uuid' },
      },
    },
  });
  cleanup.after(() => hel.stop());
  const source = await waitFor(
    async () => {
      const s = (await getJson(`${hel.urls.api!}/api/v1/sources/late`, bearer)).body;
      return s.events_total === 2 ? s : undefined;
    },
    20_000,
    'both events delivered',
  );
  assert.equal(source.last_event_time, newer);
});
