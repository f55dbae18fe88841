import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const SECRETS = {
  T_BEARER: 'bearer-SECRET-7f3a9c',
  T_USER: 'svc-user',
  T_PASS: 'basic-PASSWORD-41b2e8',
  T_KEY: 'apikey-SECRET-0d9e77',
  T_BAD: 'revoked-SECRET-5c1d2a',
  T_CID: 'client-id-1',
  T_CSECRET: 'oauth-CLIENT-SECRET-a8e1',
};

/** Every form a secret could leak in: raw, base64 (basic), URL-encoded (form bodies). */
function needles(): string[] {
  const basic = Buffer.from(`${SECRETS.T_USER}:${SECRETS.T_PASS}`).toString('base64');
  return [SECRETS.T_BEARER, SECRETS.T_PASS, SECRETS.T_KEY, SECRETS.T_BAD, SECRETS.T_CSECRET, basic, 'access-SECRET-token'];
}

function assertClean(what: string, bytes: Buffer | string): void {
  const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
  for (const needle of needles()) assert.ok(!text.includes(needle), `${what} contains the secret ${needle.slice(0, 12)}...`);
}

test('no secret value reaches stdout, logs (debug), state or state export, also on 401s', async (t) => {
  const api = await fakeApi(t, (req) => {
    if (req.path === '/oauth/token') return { body: { access_token: 'access-SECRET-token', expires_in: 3600 } };
    // A careless API that echoes the credentials it rejected.
    const echo = { error: 'unauthorized', got: { authorization: req.headers.authorization, key: req.headers['x-api-key'] }, url: req.url };
    if (req.path.startsWith('/deny')) return { status: 401, body: echo, headers: { 'www-authenticate': `Bearer error="invalid_token" token="${req.headers.authorization ?? ''}"` } };
    return { body: { items: [{ id: req.path, note: 'ok' }], cursor: 'next-1', has_more: false } };
  });
  const dir = tempDir(t);
  const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };
  const config = writeConfig(dir, {
    sources: {
      bearer: { url: `${api.url}/ok/bearer`, auth: { type: 'bearer', token_env: 'T_BEARER' }, pagination: cursor },
      basic: { url: `${api.url}/ok/basic`, auth: { type: 'basic', user_env: 'T_USER', password_env: 'T_PASS' } },
      key: { url: `${api.url}/ok/key`, auth: { type: 'api_key', header: 'X-API-Key', key_env: 'T_KEY' } },
      oauth: { url: `${api.url}/ok/oauth`, auth: { type: 'oauth2', token_url: `${api.url}/oauth/token`, client_id_env: 'T_CID', client_secret_env: 'T_CSECRET' } },
      'deny-bearer': { url: `${api.url}/deny/bearer`, auth: { type: 'bearer', token_env: 'T_BAD' }, resilience: { retries: { max_attempts: 2, initial_backoff_secs: 0 } } },
      'deny-basic': { url: `${api.url}/deny/basic`, method: 'post', body: { x: 1 }, auth: { type: 'basic', user_env: 'T_USER', password_env: 'T_PASS' } },
      'deny-key': { url: `${api.url}/deny/key`, auth: { type: 'api_key', header: 'X-API-Key', key_env: 'T_KEY' } },
      'deny-oauth': { url: `${api.url}/deny/oauth`, auth: { type: 'oauth2', token_url: `${api.url}/oauth/token`, client_id_env: 'T_CID', client_secret_env: 'T_CSECRET' } },
    },
  });
  const state = join(dir, 'st.db');
  const env = { ...SECRETS, HEL_LOG_LEVEL: 'trace' };

  const [run, probe] = await Promise.all([
    hel(['run', '--once', '-c', config, '--state', state], { env }),
    hel(['test', '-c', config, '--state', join(dir, 'probe.db'), '--source', 'deny-bearer'], { env }),
  ]);
  assert.equal(run.code, 1, 'the 401 sources fail the run');
  assert.match(run.stderr, /deny-bearer: FAILED/);
  assert.match(run.stderr, /401/);
  assert.ok(api.on('/deny/bearer').length >= 1 && api.on('/deny/key').length === 1, 'the failing requests were made');
  assert.ok(run.stderr.length > 500, 'debug logging was on');
  assertClean('hel run stdout', run.stdout);
  assertClean('hel run stderr', run.stderr);
  assert.equal(probe.code, 1);
  assert.match(probe.stderr, /FAILED/);
  assertClean('hel test stdout', probe.stdout);
  assertClean('hel test stderr', probe.stderr);

  const exported = await hel(['state', 'export', '--state', state]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /last_error/, 'the error was saved');
  assertClean('state export', exported.stdout);
  const files = readdirSync(dir).filter((f) => f.startsWith('st.db') || f.startsWith('probe.db'));
  assert.ok(files.includes('st.db'));
  for (const f of files) assertClean(`state file ${f}`, readFileSync(join(dir, f)));
});
