import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, parseLines, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { andromedaEvents, andromedaHandler } from './andromeda-fake.js';
import { EXAMPLE_HOOKS } from '../helpers/hook-examples.js';

/** sha256 of hooks/andromeda-audit.js in Helr 0.7.0: the example is Helr's file, byte for byte. */
const HELR_ANDROMEDA_SHA256 = 'df14d05bcf9f1092b38c5d165f4ba65161e780c6bcbafe19a669a991104d5203';
const COOKIE = 'DS=session-1234; DSR=refresh-5678';

/** Helr's andromeda-audit source (helr.yaml), pointed at the fake. */
function config(dir: string, url: string, hooks: Record<string, unknown> = {}) {
  return writeConfig(dir, {
    global: { state: { backend: 'sqlite', path: join(dir, 'state.db') }, hooks: { enabled: true, path: EXAMPLE_HOOKS, timeout_secs: 5, ...hooks } },
    sources: {
      'andromeda-audit': {
        url: `${url}/graphql`,
        method: 'post',
        headers: {
          'User-Agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:147.0) Gecko/20100101 Firefox/147.0',
          Referer: 'https://app.live.andromedasecurity.com/',
          Origin: 'https://app.live.andromedasecurity.com',
          Accept: '*/*',
          'Accept-Language': 'en-US,en;q=0.9',
        },
        schedule: { interval_secs: 300, jitter_secs: 30 },
        hooks: { script: 'andromeda-audit.js' },
        dedupe: { id_path: 'id', capacity: 100000 },
        resilience: {
          timeout_secs: 30,
          retries: { max_attempts: 5, initial_backoff_secs: 2, max_backoff_secs: 60, multiplier: 2.0 },
          circuit_breaker: { enabled: true, failure_threshold: 5, success_threshold: 2, half_open_timeout_secs: 60 },
        },
      },
    },
  });
}

const pageArgs = (body: string) => (JSON.parse(body) as { variables: { pageArgs: { skip: number; pageSize: number } } }).variables.pageArgs;

test("the example is Helr's andromeda-audit.js unchanged", () => {
  assert.equal(
    createHash('sha256')
      .update(readFileSync(join(EXAMPLE_HOOKS, 'andromeda-audit.js')))
      .digest('hex'),
    HELR_ANDROMEDA_SHA256,
  );
});

test("Helr's Andromeda hook backfills every page of the GraphQL API, and the next run continues from the saved skip", async (t) => {
  const dir = tempDir(t);
  const events = andromedaEvents(120);
  const api = await fakeApi(t, andromedaHandler({ events: () => events, cookie: COOKIE }));
  const cfg = config(dir, api.url);

  const first = await hel(['run', '--once', '-c', cfg], { env: { ANDROMEDA_COOKIE: COOKIE, ANDROMEDA_PAT: undefined } });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(
    api.requests.map((r) => pageArgs(r.body)),
    [
      { skip: 0, pageSize: 50 },
      { skip: 50, pageSize: 50 },
      { skip: 100, pageSize: 50 },
    ],
  );
  for (const r of api.requests) {
    assert.equal(r.headers.cookie, COOKIE);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['user-agent'], 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:147.0) Gecko/20100101 Firefox/147.0');
    assert.equal(r.headers.origin, 'https://app.live.andromedasecurity.com');
  }
  const lines = parseLines(first.stdout);
  assert.deepEqual(
    lines.map((l) => l.event.id),
    events.map((e) => e.id),
  );
  assert.deepEqual(lines[0], { ts: events[0]!.time, source: 'andromeda-audit', endpoint: '/graphql', event: events[0], meta: { id: events[0]!.id } });
  assert.match(first.stderr, /andromeda-audit: ok, 3 pages, 120 events \(getNextPage returned null\)/);

  const state = await hel(['state', 'show', 'andromeda-audit', '--json', '-c', cfg]);
  const saved = (JSON.parse(state.stdout) as Record<string, Record<string, unknown>>)['andromeda-audit']!;
  assert.equal(saved.skip, '120');
  assert.equal(saved.watermark, events.at(-1)!.time);

  const second = await hel(['run', '--once', '-c', cfg], { env: { ANDROMEDA_COOKIE: COOKIE, ANDROMEDA_PAT: undefined } });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    api.requests.slice(3).map((r) => pageArgs(r.body)),
    [{ skip: 120, pageSize: 50 }],
  );
  assert.equal(second.stdout, '');
});

test("a GraphQL error fails the poll with the hook's message and leaves skip where it was", async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, () => ({ body: { errors: [{ message: 'Variable "$pageArgs" got invalid value' }], data: null } }));
  const cfg = config(dir, api.url);
  const run = await hel(['run', '--once', '-c', cfg], { env: { ANDROMEDA_COOKIE: COOKIE, ANDROMEDA_PAT: undefined } });
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(
    run.stderr,
    /andromeda-audit: FAILED: hook parseResponse threw: parseResponse: HTTP 200, GraphQL errors: \[\{"message":"Variable \\"\$pageArgs\\" got invalid value"\}\] \(.*andromeda-audit\.js:\d+:\d+\)/,
  );
  const state = await hel(['state', 'show', 'andromeda-audit', '--json', '-c', cfg]);
  assert.equal((JSON.parse(state.stdout) as Record<string, Record<string, unknown>>)['andromeda-audit']!.skip, undefined);
});

test("with ANDROMEDA_PAT and allow_network off, getAuth's fetch() is refused before anything is sent", async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, andromedaHandler({ events: () => andromedaEvents(3), cookie: COOKIE }));
  const run = await hel(['run', '--once', '-c', config(dir, api.url, { allow_network: false })], { env: { ANDROMEDA_PAT: 'pat-secret-value', ANDROMEDA_COOKIE: undefined } });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /andromeda-audit: FAILED: hook getAuth called fetch\(\), which needs global\.hooks\.allow_network: true \(.*andromeda-audit\.js:\d+:\d+\) — set global\.hooks\.allow_network: true to allow it/,
  );
  assert.doesNotMatch(run.stderr, /pat-secret-value/);
  assert.equal(api.requests.length, 0);
});

test('hel test --source andromeda-audit polls through the hook and saves nothing', async (t) => {
  const dir = tempDir(t);
  const events = andromedaEvents(60);
  const api = await fakeApi(t, andromedaHandler({ events: () => events, cookie: COOKIE }));
  const cfg = config(dir, api.url);
  const run = await hel(['test', '--source', 'andromeda-audit', '-c', cfg], { env: { ANDROMEDA_COOKIE: COOKIE, ANDROMEDA_PAT: undefined } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(parseLines(run.stdout).length, 60);
  assert.match(run.stderr, /page 1: HTTP 200, 50 events[\s\S]*page 2: HTTP 200, 10 events/);
  const state = await hel(['state', 'show', 'andromeda-audit', '--json', '-c', cfg]);
  assert.equal((JSON.parse(state.stdout) as Record<string, Record<string, unknown>>)['andromeda-audit']?.skip, undefined);
});
