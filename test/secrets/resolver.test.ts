import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { authTransport } from '../../src/http/auth/auth-transport.js';
import { httpTransport } from '../../src/http/http-transport.js';
import type { HttpTransport } from '../../src/http/transport.js';
import { SecretResolver } from '../../src/secrets/resolver.js';
import { SecretsFile } from '../../src/secrets/secrets-file.js';
import { setSecret } from '../../src/secrets/store.js';
import { tokenExpiry } from '../../src/integrations/registry.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { tempDir } from '../helpers/tmp.js';
import { eventsToken } from '../helpers/secrets-fixtures.js';

// A passphrase, not a 32-byte key: every derivation of the store's key is a scrypt run.
const PASSPHRASE = 'correct horse battery staple';

/** A loopback API that records the Authorization header of every request. */
async function recordingApi(t: Parameters<typeof listenOnLoopback>[1]): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const { url } = await listenOnLoopback(server, t);
  return { url, seen };
}

async function get(transport: HttpTransport, url: string): Promise<void> {
  const response = await transport.send({ method: 'GET', url, headers: {} }, { source: 'op', signal: new AbortController().signal, page: 1 });
  assert.equal(response.status, 200);
}

void test('a token_secret source: loading, expiry warnings and 25 requests derive the store key once; a changed store is read again', async (t) => {
  const dir = tempDir(t);
  const store = join(dir, 'hel-secrets.enc');
  const env = { HEL_MASTER_KEY: PASSPHRASE };
  const first = eventsToken(3);
  setSecret('op_token', first, { path: store, env, tokenExpiry });
  const api = await recordingApi(t);
  const file = join(dir, 'hel.yaml');
  writeFileSync(file, stringify({ global: { secrets: { path: store } }, sources: { op: { url: `${api.url}/api/v2/auditevents`, auth: { type: 'bearer', token_secret: 'op_token' } } } }));

  const config = loadConfig(file, { env });
  assert.ok(
    config.warnings.some((w) => w.startsWith('secret op_token: expires')),
    'the expiry warning comes from the same decrypted view',
  );
  assert.equal(config.secrets.keyDerivations, 1);

  const transport = authTransport(httpTransport({ timeoutMs: 5000 }), config.sources[0]!.auth, config.secrets);
  for (let i = 0; i < 25; i++) await get(transport, `${api.url}/api/v2/auditevents`);
  assert.deepEqual(new Set(api.seen), new Set([`Bearer ${first}`]));
  assert.equal(config.secrets.keyDerivations, 1, 'no scrypt per request');

  // `hel secrets set` writes a new file (new inode, new salt): the next request carries the new token.
  const second = eventsToken(60);
  setSecret('op_token', second, { path: store, env, tokenExpiry });
  await get(transport, `${api.url}/api/v2/auditevents`);
  await get(transport, `${api.url}/api/v2/auditevents`);
  assert.deepEqual(api.seen.slice(-2), [`Bearer ${second}`, `Bearer ${second}`]);
  assert.equal(config.secrets.keyDerivations, 2, 'one derivation for the new version of the file');
});

void test('a 1Password short form with token_secret: the token read for the region, the expiry warnings and the run share one derivation', (t) => {
  const dir = tempDir(t);
  const store = join(dir, 'hel-secrets.enc');
  const env = { HEL_MASTER_KEY: PASSPHRASE };
  setSecret('op_token', eventsToken(5), { path: store, env, tokenExpiry });
  const file = join(dir, 'hel.yaml');
  writeFileSync(
    file,
    stringify({ global: { secrets: { path: store } }, sources: { op: { type: 'onepassword', token_secret: 'op_token', streams: ['auditevents', 'signinattempts', 'itemusages'] } } }),
  );
  const config = loadConfig(file, { env });
  assert.equal(config.sources.length, 3);
  assert.ok(
    config.sources.every((s) => s.url.startsWith('https://events.1password.com/')),
    'the region comes from the stored token',
  );
  assert.equal(config.secrets.keyDerivations, 1);
  for (const source of config.sources) {
    assert.equal(source.auth?.type === 'bearer' ? source.auth.token_secret : undefined, 'op_token');
    assert.equal(config.secrets.read({ what: 'bearer token', prefix: 'token', keys: ['token_secret'], secret: 'op_token' }).split('.').length, 3);
  }
  assert.equal(config.secrets.keyDerivations, 1);
});

void test('a reload keeps the running resolver (no new derivation) while global.secrets is unchanged, and builds another when it changed', (t) => {
  const dir = tempDir(t);
  const env = { HEL_MASTER_KEY: PASSPHRASE };
  setSecret('tok', eventsToken(30), { path: join(dir, 'a.enc'), env, tokenExpiry });
  const file = join(dir, 'hel.yaml');
  const write = (path: string) => writeFileSync(file, stringify({ global: { secrets: { path } }, sources: { s: { url: 'http://127.0.0.1:9/e', auth: { type: 'bearer', token_secret: 'tok' } } } }));
  write(join(dir, 'a.enc'));
  const running = loadConfig(file, { env });
  assert.equal(running.secrets.keyDerivations, 1, 'the expiry check opened the store');
  const again = loadConfig(file, { env: running.secrets.env, secrets: running.secrets });
  assert.equal(again.secrets, running.secrets);
  assert.equal(running.secrets.keyDerivations, 1, 'the reload did not derive the key again');
  write(join(dir, 'b.enc'));
  const moved = loadConfig(file, { env: running.secrets.env, secrets: running.secrets });
  assert.notEqual(moved.secrets, running.secrets);
  assert.equal(moved.secrets.settings.path, join(dir, 'b.enc'));
});

void test('SecretsFile: a wrong key is not remembered as the content, a fixed key is used at the next read, a removed file is noticed', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 's.enc');
  setSecret('a', 'v1', { path, env: { HEL_MASTER_KEY: PASSPHRASE } });
  const env: NodeJS.ProcessEnv = { HEL_MASTER_KEY: 'not the passphrase' };
  const file = new SecretsFile({ path, env });
  assert.throws(() => file.value('a'), { code: 'HEL_SECRET', message: /wrong HEL_MASTER_KEY/ });
  assert.throws(() => file.value('a'), { code: 'HEL_SECRET', message: /wrong HEL_MASTER_KEY/ });
  assert.equal(file.keyDerivations, 1, 'the failed derivation is not repeated for the same salt and passphrase');
  env.HEL_MASTER_KEY = PASSPHRASE;
  assert.equal(file.value('a'), 'v1');
  rmSync(path);
  assert.throws(() => file.value('a'), { code: 'HEL_SECRET', message: /does not exist/ });
});

void test('SecretsFile: a file changed in place (same inode) is read again', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 's.enc');
  const other = join(dir, 'other.enc');
  const env = { HEL_MASTER_KEY: 'a'.repeat(64) };
  setSecret('a', 'old', { path, env });
  setSecret('a', 'new-and-longer', { path: other, env });
  const file = new SecretsFile({ path, env });
  assert.equal(file.value('a'), 'old');
  // Not a rename: the same inode gets the other file's bytes (a restore from backup with cp).
  writeFileSync(path, readFileSync(other));
  assert.equal(file.value('a'), 'new-and-longer');
});

void test('SecretResolver: file, then env, then the store; observed() reports every read without the value', (t) => {
  const dir = tempDir(t);
  const store = join(dir, 's.enc');
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'from-file\n');
  const env = { HEL_MASTER_KEY: 'b'.repeat(64), TOKEN: ' from-env ' };
  setSecret('tok', 'from-store', { path: store, env });
  const resolver = new SecretResolver({ env, path: store });
  const ref = { what: 'bearer token', prefix: 'token', keys: ['token_env', 'token_file', 'token_secret'] };
  assert.equal(resolver.read({ ...ref, file: tokenFile, env: 'TOKEN', secret: 'tok' }), 'from-file');
  assert.equal(resolver.read({ ...ref, env: 'TOKEN', secret: 'tok' }), 'from-env');
  assert.equal(resolver.read({ ...ref, secret: 'tok' }), 'from-store');
  assert.throws(() => resolver.read(ref), { code: 'HEL_SECRET', message: 'bearer token is not configured' });
  const seen: string[] = [];
  const observed = resolver.observed((r) => seen.push(JSON.stringify(r)));
  assert.equal(observed.read({ ...ref, secret: 'tok' }), 'from-store');
  assert.throws(() => observed.read({ ...ref, secret: 'missing' }), { code: 'HEL_SECRET' });
  assert.equal(seen.length, 1, 'a failed read is not reported as a credential access');
  assert.ok(!seen[0]!.includes('from-store'));
  assert.equal(resolver.observed(undefined), resolver);
});
