import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, parseLines, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('every auth type through hel run --once: the server sees the right credentials', async (t) => {
  const expected: Record<string, { header: string; value: string }> = {
    '/bearer-env': { header: 'authorization', value: 'Bearer tok-from-env' },
    '/bearer-file': { header: 'authorization', value: 'SSWS tok-from-file' },
    '/basic': { header: 'authorization', value: `Basic ${Buffer.from('alice:pa:ss w0rd').toString('base64')}` },
    '/api-key': { header: 'x-api-key', value: 'key-123' },
    '/oauth2': { header: 'authorization', value: 'Bearer access-1' },
  };
  const api = await fakeApi(t, (req) => {
    if (req.path === '/oauth/token') return { body: { access_token: 'access-1', token_type: 'bearer', expires_in: 3600 } };
    const want = expected[req.path];
    if (!want || req.headers[want.header] !== want.value) return { status: 401, body: { error: 'unauthorized' } };
    return { body: { items: [{ id: req.path }] } };
  });
  const dir = tempDir(t);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'tok-from-file\n');
  const config = writeConfig(dir, {
    sources: {
      'bearer-env': { url: `${api.url}/bearer-env`, auth: { type: 'bearer', token_env: 'T_BEARER' } },
      'bearer-file': { url: `${api.url}/bearer-file`, auth: { type: 'bearer', token_file: tokenFile, prefix: 'SSWS' } },
      basic: { url: `${api.url}/basic`, auth: { type: 'basic', user_env: 'T_USER', password_env: 'T_PASS' } },
      'api-key': { url: `${api.url}/api-key`, auth: { type: 'api_key', header: 'X-API-Key', key_env: 'T_KEY' } },
      oauth2: {
        url: `${api.url}/oauth2`,
        auth: { type: 'oauth2', token_url: `${api.url}/oauth/token`, client_id_env: 'T_CID', client_secret_env: 'T_CSECRET', scopes: ['audit.read', 'users.read'] },
      },
    },
  });
  const env = { T_BEARER: 'tok-from-env', T_USER: 'alice', T_PASS: 'pa:ss w0rd', T_KEY: 'key-123', T_CID: 'client-9', T_CSECRET: 'csecret-9' };
  const run = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')], { env });
  assert.equal(run.code, 0, run.stderr);

  for (const [path, want] of Object.entries(expected)) {
    const seen = api.on(path);
    assert.equal(seen.length, 1, path);
    assert.equal(seen[0]!.headers[want.header], want.value, path);
  }
  assert.equal(api.on('/api-key')[0]!.headers.authorization, undefined, 'api_key sends no Authorization header');

  const tokenRequests = api.on('/oauth/token');
  assert.equal(tokenRequests.length, 1);
  assert.equal(tokenRequests[0]!.method, 'POST');
  assert.match(tokenRequests[0]!.headers['content-type'] ?? '', /application\/x-www-form-urlencoded/);
  const form = new URLSearchParams(tokenRequests[0]!.body);
  assert.deepEqual(Object.fromEntries(form), { grant_type: 'client_credentials', client_id: 'client-9', client_secret: 'csecret-9', scope: 'audit.read users.read' });

  assert.deepEqual(
    parseLines(run.stdout)
      .map((l) => l.event.id)
      .sort(),
    Object.keys(expected).sort(),
  );
});

test('oauth2: a 401 with a cached token fetches a new token and retries once', async (t) => {
  let issued = 0;
  const api = await fakeApi(t, (req) => {
    if (req.path === '/oauth/token') return { body: { access_token: `access-${++issued}`, expires_in: 3600 } };
    return req.headers.authorization === 'Bearer access-2' ? { body: { items: [{ id: 'ok' }] } } : { status: 401, body: {} };
  });
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: { o: { url: `${api.url}/events`, auth: { type: 'oauth2', token_url: `${api.url}/oauth/token`, client_id_env: 'T_CID', client_secret_env: 'T_CSECRET' } } },
  });
  const run = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')], { env: { T_CID: 'c', T_CSECRET: 's' } });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    api.on('/events').map((r) => r.headers.authorization),
    ['Bearer access-1', 'Bearer access-2'],
  );
  assert.equal(parseLines(run.stdout).length, 1);
});
