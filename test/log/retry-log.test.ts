import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('each retry is a warning in the log: source, attempt, wait and the troubleshooting line; no token', async (t) => {
  const token = 'tok-retry-secret-4711';
  const api = await fakeApi(t, (req) => (req.n < 2 ? { status: 503, body: { error: 'busy' } } : { body: { items: [{ id: 'e1' }] } }));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      audit: {
        url: `${api.url}/events?key=${token}`,
        auth: { type: 'bearer', token_env: 'T_TOKEN' },
        resilience: { retries: { max_attempts: 3, initial_backoff_secs: 0.05, max_backoff_secs: 0.1, jitter: 0 } },
      },
    },
  });
  const run = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')], { env: { T_TOKEN: token, HEL_LOG_LEVEL: 'warn' } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim().split('\n').length, 1);

  const retries = run.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; source: string; attempt: number; delay_ms: number; url: string })
    .filter((l) => /retrying in/.test(l.msg));
  assert.deepEqual(
    retries.map((r) => [r.level, r.source, r.attempt, r.delay_ms]),
    [
      [40, 'audit', 2, 50],
      [40, 'audit', 3, 100],
    ],
  );
  assert.match(retries[0]!.msg, /503/);
  assert.ok(!run.stderr.includes(token), 'the token (in the header and the query) never reaches the log');
});
