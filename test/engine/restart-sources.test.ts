import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { logEntries, startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('reload.restart_sources_on_sighup: false keeps an unchanged source as it is (open breaker, cached token); true closes the breaker and fetches a new token', async (t) => {
  let failing = true;
  let tokens = 0;
  const api = await fakeApi(t, (req) => {
    if (req.path === '/token') return { body: { access_token: `token-${++tokens}`, token_type: 'Bearer', expires_in: 3600 } };
    return failing ? { status: 500, body: { error: 'down' } } : { body: { items: [{ id: req.n }] } };
  });
  const dir = tempDir(t);
  const source = {
    url: `${api.url}/events`,
    schedule: { interval_secs: 0.3 },
    auth: { type: 'oauth2', token_url: `${api.url}/token`, client_id_env: 'CID', client_secret_env: 'CSECRET' },
    resilience: { retries: { max_attempts: 1 }, circuit_breaker: { failure_threshold: 1, half_open_timeout_secs: 3600 } },
  };
  const config = writeConfig(dir, { sources: { a: source } });
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db')], { env: { HEL_LOG_LEVEL: 'info', CID: 'client', CSECRET: 'client-secret' } });
  await waitFor(() => proc.stderr().includes('circuit closed -> open'), 30_000, 'the breaker to open');
  const polls = () => api.on('/events').length;
  assert.equal(polls(), 1);
  assert.equal(tokens, 1);
  failing = false;

  // Unchanged config, restart off: the source is left alone, breaker open and token cached.
  proc.child.kill('SIGHUP');
  await waitFor(() => /"msg":"config reloaded"/.test(proc.stderr()), 20_000, 'the first reload');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(polls(), 1, 'the open breaker still holds the source back');
  assert.equal(tokens, 1);

  // The same sources with restart on (a reloadable key, applied by this very reload).
  writeConfig(dir, { global: { reload: { restart_sources_on_sighup: true } }, sources: { a: source } });
  proc.child.kill('SIGHUP');
  await waitFor(() => polls() >= 2, 20_000, 'a poll after the restart');
  const restarted = logEntries(proc.stderr(), 'config reloaded')[1]!;
  assert.deepEqual(restarted.restarted, ['a']);
  assert.equal(tokens, 2, 'a new OAuth2 token was requested');
  assert.equal(api.on('/events').at(-1)!.headers.authorization, 'Bearer token-2');
  await waitFor(() => proc.stderr().includes('"msg":"poll done"'), 20_000, 'a successful poll');
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(10_000, proc.exited, 'exit'), { code: 0, signal: null });
});
