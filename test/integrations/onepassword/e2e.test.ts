import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOnePasswordMock, type MockServer } from '../../../src/integrations/onepassword/mock/server.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

// The real CLI against the fake 1Password Events API, one scenario per test (issue 5).

let mock: MockServer;
const DAY = 86_400_000;

before(async () => {
  mock = await startOnePasswordMock({ events: 2500, seed: 'e2e', spreadHours: 72, rateLimit: false });
});
after(async () => {
  await mock.close();
});

function shortForm(dir: string, extra = ''): string {
  const path = join(dir, 'hel.yaml');
  const start = new Date(Date.now() - 4 * DAY).toISOString();
  writeFileSync(path, `global:\n  state: {path: ${join(dir, 'state.db')}}\nsources:\n  acme:\n    type: onepassword\n    base_url: ${mock.url}\n    start_time: "${start}"\n${extra}`);
  return path;
}

function lines(stdout: string): { source: string; endpoint: string; event: Record<string, unknown> }[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { source: string; endpoint: string; event: Record<string, unknown> });
}

function requestsSince(n: number) {
  return mock.requests.slice(n).filter((r) => r.path.startsWith('/api/v'));
}

test('backfill of all three streams across pages, then nothing new costs one request per stream', async (t) => {
  const dir = tempDir(t);
  const config = shortForm(dir, '    limit: 1000\n');
  const env = { ONEPASSWORD_EVENTS_TOKEN: mock.token };

  const mark = mock.requests.length;
  const first = await runCli(['run', '--once', '-c', config], { env });
  assert.equal(first.code, 0, first.stderr);
  const events = lines(first.stdout);
  for (const stream of ['auditevents', 'signinattempts', 'itemusages']) {
    const ofStream = events.filter((e) => e.source === `acme-${stream}`);
    assert.equal(ofStream.length, 2500, `${stream}: every event of the backlog`);
    assert.equal(new Set(ofStream.map((e) => e.event.uuid)).size, 2500, `${stream}: no duplicates`);
    assert.ok(ofStream.every((e) => e.endpoint === `/api/v2/${stream}`));
  }
  const firstRequests = requestsSince(mark);
  assert.ok(firstRequests.filter((r) => r.path.endsWith('auditevents')).length >= 3, 'several pages');
  assert.ok(firstRequests.every((r) => r.status === 200));

  const mark2 = mock.requests.length;
  const second = await runCli(['run', '--once', '-c', config], { env });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, '', 'nothing new');
  const again = requestsSince(mark2);
  assert.equal(again.length, 3, 'one request per stream');
  assert.ok(
    again.every((r) => typeof (r.body as { cursor?: unknown }).cursor === 'string' && Object.keys(r.body as object).length === 1),
    'continuation sends {cursor} alone',
  );
});

test('live events are picked up on the next poll, and a late item usage is still delivered', async (t) => {
  const dir = tempDir(t);
  const config = shortForm(dir);
  const env = { ONEPASSWORD_EVENTS_TOKEN: mock.token };
  assert.equal((await runCli(['run', '--once', '-c', config], { env })).code, 0);

  mock.append('auditevents', 7);
  mock.append('itemusages', [{ action: 'reveal' }], { lateMinutes: 90 });
  const next = await runCli(['run', '--once', '-c', config], { env });
  assert.equal(next.code, 0, next.stderr);
  const events = lines(next.stdout);
  assert.equal(events.filter((e) => e.source === 'acme-auditevents').length, 7);
  const late = events.filter((e) => e.source === 'acme-itemusages');
  assert.equal(late.length, 1);
  const age = Date.now() - Date.parse(String(late[0]!.event.timestamp));
  assert.ok(age > 80 * 60_000, 'its timestamp is older than the events already delivered');
});

for (const version of ['v1', 'v2'] as const) {
  test(`api_version ${version}: all three streams with ${version} shapes`, async (t) => {
    const dir = tempDir(t);
    const config = shortForm(dir, `    api_version: ${version}\n`);
    const result = await runCli(['run', '--once', '-c', config], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
    assert.equal(result.code, 0, result.stderr);
    const events = lines(result.stdout);
    for (const stream of ['auditevents', 'signinattempts', 'itemusages']) {
      const ofStream = events.filter((e) => e.endpoint === `/api/${version}/${stream}`);
      assert.ok(ofStream.length > 0, `${stream} delivered`);
      assert.equal(
        ofStream.some((e) => 'account_uuid' in e.event),
        version === 'v2',
        `${stream}: account_uuid only in v2`,
      );
    }
  });
}

test('the seed pattern (explicit POST cursor source) works verbatim against the API', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'hel.yaml');
  writeFileSync(
    path,
    `global:\n  state: {path: ${join(dir, 'st.db')}}\nsources:\n  1password-audit:\n    url: "${mock.url}/api/v2/auditevents"\n    method: post\n    body:\n      limit: 500\n      start_time: "${new Date(Date.now() - 4 * DAY).toISOString()}"\n    auth:\n      type: bearer\n      token_env: ONEPASSWORD_EVENTS_TOKEN\n    headers:\n      Accept: "application/json"\n      Content-Type: "application/json"\n    pagination:\n      strategy: cursor\n      cursor_param: cursor\n      cursor_path: cursor\n      max_pages: 50\n    dedupe:\n      id_path: "uuid"\n      capacity: 10000\n`,
  );
  const result = await runCli(['run', '--once', '-c', path], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  assert.equal(result.code, 0, result.stderr);
  const events = lines(result.stdout);
  assert.ok(events.length >= 2500, 'the whole backlog (other tests may have appended a few)');
  assert.equal(new Set(events.map((e) => e.event.uuid)).size, events.length, 'no duplicates');
});

test('limit: 1001 is a validation error before any request', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'hel.yaml');
  writeFileSync(
    path,
    `sources:\n  a:\n    url: "${mock.url}/api/v2/auditevents"\n    method: post\n    body: {limit: 1001}\n    auth: {type: bearer, token_env: ONEPASSWORD_EVENTS_TOKEN}\n    pagination: {strategy: cursor, cursor_param: cursor, cursor_path: cursor}\n`,
  );
  const mark = mock.requests.length;
  const result = await runCli(['run', '--once', '-c', path], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /hel\.yaml:5:\d+ sources\.a\.body\.limit: limit 1001 is out of range/);
  assert.equal(mock.requests.length, mark, 'no request was sent');
});

test('a revoked token fails with the 401 troubleshooting line and exit 1', async (t) => {
  const dir = tempDir(t);
  const token = await mock.mintToken();
  mock.revokeToken(token);
  const result = await runCli(['run', '--once', '-c', shortForm(dir), '-q'], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /acme-auditevents: FAILED: .*401/);
  assert.match(result.stderr, /revoked|expired|invalid/i);
  assert.ok(!result.stderr.includes(token), 'the token is never printed');
});

test('a token without the itemusages feature: hel test names the feature', async (t) => {
  const dir = tempDir(t);
  const token = await mock.mintToken({ features: ['auditevents', 'signinattempts'] });
  const result = await runCli(['test', '-c', shortForm(dir), '--source', 'acme-itemusages'], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /FAIL the token lacks the itemusages feature/);
  assert.match(result.stderr, /features on the token: auditevents, signinattempts/);
  assert.match(result.stderr, /FAILED: .*401.*itemusages/s);
});

test('hel test prints the introspection and does not move the cursor', async (t) => {
  const dir = tempDir(t);
  const config = shortForm(dir);
  const env = { ONEPASSWORD_EVENTS_TOKEN: mock.token };
  const result = await runCli(['test', '-c', config, '--source', 'acme-auditevents'], { env });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /ok {3}introspect \(v2\): integration [A-Z2-7]{26}, account [A-Z2-7]{26}/);
  assert.match(result.stderr, /the token has the auditevents feature/);
  assert.match(result.stderr, /cursor would move: \(none\) -> \S+ \(not saved: pass --commit\)/);
  assert.ok(lines(result.stdout).length > 0);
  const state = await runCli(['state', 'show', 'acme-auditevents', '-c', config, '--json'], { env });
  assert.equal((JSON.parse(state.stdout) as Record<string, { cursor?: string }>)['acme-auditevents']?.cursor, undefined);
});

test('wrong region: validate names the host the token belongs to', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, 'sources:\n  acme:\n    type: onepassword\n    region: com\n');
  const token = await mock.mintToken({ aud: 'events.1password.eu' });
  const result = await runCli(['validate', '-c', path], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.equal(result.code, 0);
  assert.match(result.stderr, /wrong region: this token belongs to events\.1password\.eu/);
  const derived = join(dir, 'derived.yaml');
  writeFileSync(derived, 'sources:\n  acme:\n    type: onepassword\n');
  const fromToken = await runCli(['validate', '-c', derived], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.match(fromToken.stdout, /POST https:\/\/events\.1password\.eu\/api\/v2\/auditevents/);
});

test('an expiring token gives a warning with the days left', async (t) => {
  const dir = tempDir(t);
  const token = await mock.mintToken({ expiresInSecs: 5 * 86_400 });
  const result = await runCli(['validate', '-c', shortForm(dir)], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.equal(result.code, 0);
  assert.match(result.stderr, /the bearer token expires in 4 day\(s\): rotate it before its expiry date/);
});

test('rate limited: Hel waits for Retry-After and completes', async (t) => {
  const dir = tempDir(t);
  mock.setFaults({ status429: 2, retryAfter: 'seconds', retryAfterSecs: 1 });
  const mark = mock.requests.length;
  const result = await runCli(['run', '--once', '-c', shortForm(dir), '--source', 'acme-auditevents'], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  mock.setFaults({});
  assert.equal(result.code, 0, result.stderr);
  const statuses = requestsSince(mark).map((r) => r.status);
  assert.deepEqual(statuses.slice(0, 3), [429, 429, 200]);
  assert.ok(lines(result.stdout).length >= 2500, 'the whole backlog after the waits');
});

test("unset ONEPASSWORD_EVENTS_TOKEN: the seed's troubleshooting message, exit 2", async (t) => {
  const dir = tempDir(t);
  const result = await runCli(['run', '--once', '-c', shortForm(dir)], { env: { ONEPASSWORD_EVENTS_TOKEN: undefined } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /ONEPASSWORD_EVENTS_TOKEN is not set \(export the bearer token from your Events Reporting integration\)/);
});
