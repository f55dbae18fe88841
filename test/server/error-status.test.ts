/**
 * A triggered poll that fails answers with the HTTP status src/errors/codes.ts gives its code: the
 * real `hel run` with the API on, against loopback APIs that time out and that send a body that is
 * not JSON.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { fakeApi } from '../helpers/fake-api.js';
import { startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

type Json = Record<string, unknown>;

test('POST …/poll: a timeout answers 504 and a body that is not JSON 502, each with its error_code, as the code table says', async (t) => {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  const api = await fakeApi(t, async (req) => {
    if (req.path === '/slow') {
      await held;
      return { body: { items: [] } };
    }
    return { raw: '<html>maintenance</html>' };
  });
  const dir = tempDir(t);
  const once = { schedule: { interval_secs: 3600 }, resilience: { timeout_secs: 0.3, retries: { max_attempts: 0 }, circuit_breaker: { enabled: false } } };
  const config = writeConfig(dir, {
    global: { api: { enabled: true, port: 0 } },
    sources: { slow: { url: `${api.url}/slow`, ...once }, html: { url: `${api.url}/html`, ...once } },
  });
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db')], { env: { HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => proc.stderr().includes('"listener":"api"'), 30_000, 'the API listener');
  const listening = proc
    .stderr()
    .split('\n')
    .find((l) => l.includes('"listener":"api"'))!;
  const base = `http://127.0.0.1:${String((JSON.parse(listening) as { port: number }).port)}/api/v1/sources`;

  const slow = await fetch(`${base}/slow/poll`, { method: 'POST' });
  const slowBody = (await slow.json()) as Json;
  assert.equal(slowBody.error_code, 'HEL_TIMEOUT', JSON.stringify(slowBody));
  assert.equal(slow.status, ERROR_CODES.HEL_TIMEOUT.http);
  assert.equal(slow.status, 504);
  assert.equal(slowBody.code, 'poll_failed');
  assert.match(String(slowBody.error), /timeout_secs/);

  const html = await fetch(`${base}/html/poll`, { method: 'POST' });
  const htmlBody = (await html.json()) as Json;
  assert.equal(htmlBody.error_code, 'HEL_RESPONSE_PARSE', JSON.stringify(htmlBody));
  assert.equal(html.status, ERROR_CODES.HEL_RESPONSE_PARSE.http);
  assert.equal(html.status, 502);

  release();
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(10_000, proc.exited, 'exit'), { code: 0, signal: null });
});
