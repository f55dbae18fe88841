import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const REFUSAL = /circuit open; next trial poll in \d+s — the source's last polls failed \(its last_error says why\)/;

test('an open breaker saved in the state refuses run --once and hel test with HEL_CIRCUIT_OPEN: the formatter line, its exit status, no request', async (t) => {
  const api = await fakeApi(t, () => ({ status: 401, body: { error: 'unauthorized' } }));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    global: { state: { path: join(dir, 'state.db') }, output: { path: join(dir, 'events.ndjson') }, log_format: 'json' },
    sources: { denied: { url: `${api.url}/logs`, resilience: { circuit_breaker: { failure_threshold: 1, half_open_timeout_secs: 600 } } } },
  });

  const first = await hel(['run', '--once', '-c', config]);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stdout + first.stderr, /denied: FAILED: HTTP 401/);
  assert.equal(api.requests.length, 1);

  const refused = await hel(['run', '--once', '-c', config]);
  assert.equal(refused.code, ERROR_CODES.HEL_CIRCUIT_OPEN.exit, refused.stderr);
  assert.match(refused.stdout + refused.stderr, new RegExp(`denied: SKIPPED: ${REFUSAL.source}`));
  const logged = refused.stderr.split('\n').filter((l) => l.includes('"poll skipped: circuit open'));
  assert.equal(logged.length, 1, refused.stderr);
  assert.equal((JSON.parse(logged[0]!) as { code?: string }).code, 'HEL_CIRCUIT_OPEN');

  const tested = await hel(['test', '--source', 'denied', '-c', config]);
  assert.equal(tested.code, ERROR_CODES.HEL_CIRCUIT_OPEN.exit, tested.stderr);
  assert.match(tested.stderr, new RegExp(`skipped: ${REFUSAL.source}`));
  assert.equal(api.requests.length, 1, 'a refused poll sends nothing');
});
