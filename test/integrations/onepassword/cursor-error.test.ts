import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOnePasswordMock, type MockServer } from '../../../src/integrations/onepassword/mock/server.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

// A stored cursor the API rejects with 400 (reference §15.10 #5): fail and keep it, or reset.

let mock: MockServer;
before(async () => {
  mock = await startOnePasswordMock({ events: 300, seed: 'cursor-error', rateLimit: false });
});
after(async () => {
  await mock.close();
});

const uuids = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { event: { uuid: string } }).event.uuid);

test('on_cursor_error: reset restarts from the newest delivered event and dedupe drops the overlap', async (t) => {
  const dir = tempDir(t);
  const cfg = join(dir, 'hel.yaml');
  const start = new Date(Date.now() - 3 * 86_400_000).toISOString();
  writeFileSync(cfg, `global:\n  state: {path: ${join(dir, 's.db')}}\nsources:\n  acme:\n    type: onepassword\n    base_url: ${mock.url}\n    streams: [auditevents]\n    start_time: "${start}"\n`);
  const env = { ONEPASSWORD_EVENTS_TOKEN: mock.token, HEL_LOG_LEVEL: 'info' };
  const first = await runCli(['run', '--once', '-c', cfg], { env });
  assert.equal(uuids(first.stdout).length, 300);

  assert.equal((await runCli(['state', 'set', 'acme-auditevents', 'cursor', 'bm90IGEgY3Vyc29y', '-c', cfg], { env })).code, 0);
  mock.append('auditevents', 3);
  const mark = mock.requests.length;
  const second = await runCli(['run', '--once', '-c', cfg], { env });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /stored cursor was rejected \(400\); restarting from \S+Z with on_cursor_error: reset/);
  assert.equal(uuids(second.stdout).length, 3, 'only the new events: the re-read overlap is deduplicated');
  const sent = mock.requests.slice(mark).map((r) => r.body as Record<string, unknown>);
  assert.equal(sent[0]?.cursor, 'bm90IGEgY3Vyc29y');
  assert.equal(typeof sent[1]?.start_time, 'string', 'the restart is a ResetCursor with start_time');
});

test('on_cursor_error: fail (the default) keeps the cursor and says how to recover', async (t) => {
  const dir = tempDir(t);
  const cfg = join(dir, 'hel.yaml');
  writeFileSync(
    cfg,
    `global:\n  state: {path: ${join(dir, 's.db')}}\nsources:\n  audit:\n    url: "${mock.url}/api/v2/auditevents"\n    method: post\n    body: {}\n    auth: {type: bearer, token_env: ONEPASSWORD_EVENTS_TOKEN}\n    pagination: {strategy: cursor, cursor_param: cursor, cursor_path: cursor}\n`,
  );
  const env = { ONEPASSWORD_EVENTS_TOKEN: mock.token };
  await runCli(['state', 'set', 'audit', 'cursor', 'garbage', '-c', cfg], { env });
  const result = await runCli(['run', '--once', '-c', cfg], { env });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /audit: FAILED: .*400.*the stored cursor was kept/);
  assert.match(result.stderr, /on_cursor_error: reset/);
  assert.match(result.stderr, /hel state reset audit/);
  const state = await runCli(['state', 'show', 'audit', '-c', cfg, '--json'], { env });
  assert.equal((JSON.parse(state.stdout) as Record<string, { cursor: string }>).audit?.cursor, 'garbage');
});
