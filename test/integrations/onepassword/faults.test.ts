import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOnePasswordMock, type MockServer } from '../../../src/integrations/onepassword/mock/server.js';
import { startHel, waitFor } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';

// A faulty API: 500s, a reset, a garbage body, a stalled body. Once the faults end, every event
// has been delivered; and SIGTERM during a long backoff ends the process promptly.

let mock: MockServer;
before(async () => {
  mock = await startOnePasswordMock({ events: 1500, seed: 'faults', rateLimit: false });
});
after(async () => {
  await mock.close();
});

function config(dir: string, retries: string): string {
  const path = join(dir, 'hel.yaml');
  const start = new Date(Date.now() - 3 * 86_400_000).toISOString();
  writeFileSync(
    path,
    `global:\n  state: {path: ${join(dir, 's.db')}}\nsources:\n  audit:\n    url: "${mock.url}/api/v2/auditevents"\n    method: post\n    body: {limit: 200, start_time: "${start}"}\n    schedule: {interval_secs: 0.2}\n    auth: {type: bearer, token_env: ONEPASSWORD_EVENTS_TOKEN}\n    pagination: {strategy: cursor, cursor_param: cursor, cursor_path: cursor, cursor_in_body: replace}\n    resilience:\n      timeout_secs: 1\n      retries: ${retries}\n`,
  );
  return path;
}

/** The uuids of the complete lines so far: the file may be read in the middle of a write. */
function uuids(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  const complete = readFileSync(file, 'utf8').split('\n').slice(0, -1);
  return new Set(complete.map((l) => (JSON.parse(l) as { event: { uuid: string } }).event.uuid));
}

test('after 500s, a reset, a garbage body and a stalled body, every event is delivered exactly once', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out.ndjson');
  const mark = mock.requests.length;
  mock.setFaults({ status500: 3, reset: 1, garbage: 1, slowBodyMs: 3000, slowCount: 1 });
  const running = startHel(t, ['run', '-c', config(dir, '{max_attempts: 4, initial_backoff_secs: 0.05, max_backoff_secs: 0.2}'), '-o', out], {
    env: { ONEPASSWORD_EVENTS_TOKEN: mock.token, HEL_LOG_LEVEL: 'error' },
  });
  await waitFor(() => uuids(out).size >= 1500 || running.child.exitCode !== null, 60_000, 'all 1500 events');
  assert.equal(running.child.exitCode, null, `hel run stopped before the SIGTERM: ${running.stderr()}`);
  running.child.kill('SIGTERM');
  const { code } = await running.exited;
  mock.setFaults({});
  assert.equal(code, 0);
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  assert.equal(uuids(out).size, 1500, 'every event delivered');
  assert.equal(lines.length, 1500, 'and none twice');
  const faults = mock.requests
    .slice(mark)
    .map((r) => r.fault)
    .filter(Boolean);
  for (const kind of ['status500', 'reset', 'garbage', 'slow']) assert.ok(faults.includes(kind as never), `${kind} fired`);
});

test('SIGTERM during a long backoff exits 0 promptly', async (t) => {
  const dir = tempDir(t);
  mock.setFaults({ status500: 1000 });
  const running = startHel(t, ['run', '--once', '-c', config(dir, '{max_attempts: 5, initial_backoff_secs: 60, max_backoff_secs: 60}')], {
    env: { ONEPASSWORD_EVENTS_TOKEN: mock.token, HEL_LOG_LEVEL: 'warn' },
  });
  // Its own log says when it is in the backoff (other tests' processes may also reach the mock).
  await waitFor(() => running.stderr().includes('retrying in') || running.child.exitCode !== null, 30_000, 'the first retry');
  assert.equal(running.child.exitCode, null, `hel run stopped before the SIGTERM: ${running.stderr()}`);
  const killedAt = Date.now();
  running.child.kill('SIGTERM');
  const { code } = await running.exited;
  mock.setFaults({});
  assert.equal(code, 0);
  assert.ok(Date.now() - killedAt < 5000, `exited ${Date.now() - killedAt} ms after SIGTERM, not after the 60 s backoff`);
});
