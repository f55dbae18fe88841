import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { bodyFields } from '../../../src/http/request.js';
import { startOnePasswordMock, type MockServer } from '../../../src/integrations/onepassword/mock/server.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { onePasswordSource } from '../../helpers/config-fixtures.js';

// Issue 18 item 1: a start_time older than the 120-day retention is valid (the API begins at its
// oldest retained event, as Elastic's default 2020-01-01 relies on); relative starts never go stale.

const DAY = 86_400_000;
const RETENTION_WARNING = /start_time 2020-01-01T00:00:00Z is more than 120 days ago: the Events API keeps 120 days and starts at its oldest retained event/;
let mock: MockServer;

before(async () => {
  // 400 events spread over 200 days: the oldest 80 days of them are past retention.
  mock = await startOnePasswordMock({ events: 400, spreadHours: 200 * 24, seed: 'old-start', rateLimit: false });
});
after(async () => {
  await mock.close();
});

function config(dir: string, start: string, streams = '[auditevents]'): string {
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, `global:\n  state: {path: ${join(dir, 'state.db')}}\nsources:\n  acme:\n    type: onepassword\n    base_url: ${mock.url}\n    streams: ${streams}\n    start_time: ${start}\n`);
  return path;
}

void test('validate: a 2020 start_time in the short form and the seed pattern is valid, with a warning', async (t) => {
  const dir = tempDir(t);
  const env = { ONEPASSWORD_EVENTS_TOKEN: mock.token };
  const short = await runCli(['validate', '-c', config(dir, '"2020-01-01T00:00:00Z"')], { env });
  assert.equal(short.code, 0, short.stderr);
  assert.match(short.stderr, RETENTION_WARNING);
  assert.match(short.stdout, /config valid/);

  const seed = join(dir, 'seed.yaml');
  writeFileSync(seed, onePasswordSource('      start_time: "2020-01-01T00:00:00Z"\n'));
  const explicit = await runCli(['validate', '-c', seed], { env });
  assert.equal(explicit.code, 0, explicit.stderr);
  assert.match(explicit.stderr, /source 1password-audit: start_time 2020-01-01T00:00:00Z is more than 120 days ago/);
});

void test('run: a 2020 start_time delivers from the oldest retained event on, and says so in the log', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['run', '--once', '-c', config(dir, '"2020-01-01T00:00:00Z"')], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token, HEL_LOG_LEVEL: 'warn' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, RETENTION_WARNING);
  const times = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => Date.parse((JSON.parse(l) as { event: { timestamp: string } }).event.timestamp));
  const floor = Date.now() - 120 * DAY;
  assert.ok(times.length > 150 && times.length < 400, `${times.length} events: the retained part of the backlog`);
  assert.ok(
    times.every((t) => t >= floor),
    'nothing older than the retention window',
  );
  // About two events a day: the first delivered one is the oldest the mock still retains.
  assert.ok(Math.min(...times) - floor < 3 * DAY, `oldest delivered ${new Date(Math.min(...times)).toISOString()}`);
});

void test('a relative start_time (-30d, -12h, -90m) resolves against the clock when the config is loaded', () => {
  const now = Date.parse('2027-03-15T12:00:00Z');
  const load = (start: string) =>
    parseConfig(`sources:\n  acme:\n    type: onepassword\n    region: com\n    start_time: ${start}\n`, 'hel.yaml', { env: { ONEPASSWORD_EVENTS_TOKEN: 'ops_x' }, now: () => now });
  assert.equal(bodyFields(load('-30d').sources[0] ?? {}).start_time, '2027-02-13T12:00:00.000Z');
  assert.equal(bodyFields(load('-12h').sources[0] ?? {}).start_time, '2027-03-15T00:00:00.000Z');
  assert.equal(bodyFields(load('-90m').sources[0] ?? {}).start_time, '2027-03-15T10:30:00.000Z');
  assert.deepEqual(load('-30d').warnings, []);
  assert.match(load('-200d').warnings.join('\n'), /start_time 2026-08-27T12:00:00.000Z is more than 120 days ago/);
});

void test('run: a relative start_time backfills that far and no further', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['run', '--once', '-c', config(dir, '-10d')], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  assert.equal(r.code, 0, r.stderr);
  const times = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => Date.parse((JSON.parse(l) as { event: { timestamp: string } }).event.timestamp));
  assert.ok(times.length > 5, `${times.length} events`);
  assert.ok(
    times.every((t) => t >= Date.now() - 10 * DAY - 60_000),
    'nothing before the relative start',
  );
});
