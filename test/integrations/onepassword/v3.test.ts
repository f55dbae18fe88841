import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOnePasswordMock, type MockServer } from '../../../src/integrations/onepassword/mock/server.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

// Issue 18 item 4: `api_version: v3` (beta) in the short form — audit events over GET with
// page tokens, resumed from the last delivered insert_time; sign-ins and item usage stay on v2.

function config(dir: string, mock: MockServer, extra = ''): string {
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, `global:\n  state: {path: ${join(dir, 'state.db')}}\nsources:\n  acme:\n    type: onepassword\n    base_url: ${mock.url}\n    api_version: v3\n    start_time: -3d\n${extra}`);
  return path;
}

function events(stdout: string): { source: string; endpoint: string; event: { uuid: string; insert_time?: string } }[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { source: string; endpoint: string; event: { uuid: string; insert_time?: string } });
}

void test('validate: v3 applies to audit events, the other streams stay on v2; v2 is the default', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  t.after(() => mock.close());
  const dir = tempDir(t);
  const r = await runCli(['validate', '-c', config(dir, mock)], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^acme-auditevents: GET ${mock.url}/api/v3/auditevents, page_token \\(max 1000 pages\\)`, 'm'));
  assert.match(r.stdout, new RegExp(`^acme-itemusages: POST ${mock.url}/api/v2/itemusages, cursor`, 'm'));
  writeFileSync(join(dir, 'v2.yaml'), `sources:\n  acme:\n    type: onepassword\n    base_url: ${mock.url}\n`);
  const v2 = await runCli(['validate', '-c', join(dir, 'v2.yaml')], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  assert.match(v2.stdout, /acme-auditevents: POST \S+\/api\/v2\/auditevents/);
});

void test('run --once over v3: every audit event once; new events on the next run; nothing twice', async (t) => {
  const mock = await startOnePasswordMock({ events: 450, seed: 'v3-e2e', rateLimit: false });
  t.after(() => mock.close());
  const dir = tempDir(t);
  const path = config(dir, mock, '    streams: [auditevents]\n    limit: 100\n');
  const env = { ONEPASSWORD_EVENTS_TOKEN: mock.token };
  const first = await runCli(['run', '--once', '-c', path], { env });
  assert.equal(first.code, 0, first.stderr);
  const got = events(first.stdout);
  assert.equal(got.length, 450);
  assert.equal(new Set(got.map((e) => e.event.uuid)).size, 450);
  assert.ok(got.every((e) => e.endpoint === '/api/v3/auditevents' && e.source === 'acme-auditevents'));
  const v3Requests = mock.requests.filter((r) => r.path === '/api/v3/auditevents');
  assert.equal(v3Requests.length, 5, '100 per page');

  const state = await runCli(['state', 'show', 'acme-auditevents', '-c', path, '--json'], { env });
  const saved = (JSON.parse(state.stdout) as Record<string, { resume_from?: string }>)['acme-auditevents'];
  assert.equal(saved?.resume_from, got[got.length - 1]?.event.insert_time, 'the last insert_time is the saved position');

  mock.append('auditevents', 7);
  const second = await runCli(['run', '--once', '-c', path], { env });
  assert.equal(second.code, 0, second.stderr);
  const more = events(second.stdout);
  assert.equal(more.length, 7, 'only the new events');
  assert.ok(!more.some((e) => got.some((g) => g.event.uuid === e.event.uuid)));
  const third = await runCli(['run', '--once', '-c', path], { env });
  assert.equal(events(third.stdout).length, 0);
});

void test('a run that fails mid-window resumes from the last committed insert_time: no loss, no duplicates', async (t) => {
  let v3Answered = 0;
  const mock: MockServer = await startOnePasswordMock({
    events: 600,
    seed: 'v3-resume',
    rateLimit: false,
    onRequest: (r) => {
      // After the third page the token is revoked: the next request is a 401, which stops the
      // poll (not retried) with three pages committed.
      if (r.path === '/api/v3/auditevents' && r.status === 200 && ++v3Answered === 3) mock.revokeToken(mock.token);
    },
  });
  t.after(() => mock.close());
  const dir = tempDir(t);
  const path = config(dir, mock, '    streams: [auditevents]\n    limit: 100\n');
  const env = { ONEPASSWORD_EVENTS_TOKEN: mock.token };
  const failed = await runCli(['run', '--once', '-c', path], { env });
  assert.notEqual(failed.code, 0, 'the poll failed');
  const before = events(failed.stdout);
  assert.equal(before.length, 300, 'three pages delivered and committed');

  const resumed = await runCli(['run', '--once', '-c', path], { env: { ONEPASSWORD_EVENTS_TOKEN: await mock.mintToken() } });
  assert.equal(resumed.code, 0, resumed.stderr);
  const after = events(resumed.stdout);
  const all = [...before, ...after].map((e) => e.event.uuid);
  assert.equal(all.length, 600, 'no loss');
  assert.equal(new Set(all).size, 600, 'no duplicates');
  const state = await runCli(['state', 'show', 'acme-auditevents', '-c', path, '--json'], { env: { ONEPASSWORD_EVENTS_TOKEN: await mock.mintToken() } });
  assert.equal((JSON.parse(state.stdout) as Record<string, { resume_from?: string }>)['acme-auditevents']?.resume_from, after[after.length - 1]?.event.insert_time);
});
