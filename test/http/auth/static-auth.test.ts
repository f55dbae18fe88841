import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { authSchema } from '../../../src/config/schema.js';
import type { HelError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/tmp.js';
import { context, harness, post, thrown } from '../../helpers/transport-harness.js';
import { json, scriptedServer } from '../../helpers/loopback.js';

test('bearer: default prefix "Bearer" from an env variable', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const h = harness(t, { auth: authSchema.parse({ type: 'bearer', token_env: 'OP_TOKEN' }), env: { OP_TOKEN: 'tok-123' } });
  await h.transport.send(post(server.url), context());
  assert.equal(server.requests[0]!.headers.authorization, 'Bearer tok-123');
});

test('bearer: custom prefix (Okta SSWS) from a file, replacing a configured Authorization header', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'token');
  writeFileSync(file, 'okta-token\n');
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const h = harness(t, { auth: authSchema.parse({ type: 'bearer', token_file: file, prefix: 'SSWS' }) });
  await h.transport.send({ ...post(server.url), headers: { Authorization: 'stale' } }, context());
  assert.equal(server.requests[0]!.headers.authorization, 'SSWS okta-token');
});

test('bearer: a rotated token file is picked up without a restart', async (t) => {
  const file = join(tempDir(t), 'token');
  writeFileSync(file, 'first');
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const h = harness(t, { auth: authSchema.parse({ type: 'bearer', token_file: file }) });
  await h.transport.send(post(server.url), context());
  writeFileSync(file, 'second');
  await h.transport.send(post(server.url), context());
  assert.deepEqual(
    server.requests.map((r) => r.headers.authorization),
    ['Bearer first', 'Bearer second'],
  );
});

test('basic: user and password', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const h = harness(t, { auth: authSchema.parse({ type: 'basic', user_env: 'U', password_env: 'P' }), env: { U: 'alice', P: 'pa:ss' } });
  await h.transport.send(post(server.url), context());
  assert.equal(server.requests[0]!.headers.authorization, `Basic ${Buffer.from('alice:pa:ss').toString('base64')}`);
});

test('basic: token as user with no password (Tailscale style)', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const h = harness(t, { auth: authSchema.parse({ type: 'basic', user_env: 'U' }), env: { U: 'tskey' } });
  await h.transport.send(post(server.url), context());
  assert.equal(server.requests[0]!.headers.authorization, `Basic ${Buffer.from('tskey:').toString('base64')}`);
});

test('api_key: the configured header carries the key', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const h = harness(t, { auth: authSchema.parse({ type: 'api_key', header: 'X-API-Key', key_env: 'K' }), env: { K: 'key-9' } });
  await h.transport.send(post(server.url), context());
  assert.equal(server.requests[0]!.headers['x-api-key'], 'key-9');
  assert.equal(server.requests[0]!.headers.authorization, undefined);
});

test('a missing credential fails with HEL_SECRET naming the variable, before any request', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const h = harness(t, { auth: authSchema.parse({ type: 'bearer', token_env: 'ONEPASSWORD_EVENTS_TOKEN' }) });
  const err = (await thrown(() => h.transport.send(post(server.url), context()))) as HelError;
  assert.equal(err.code, 'HEL_SECRET');
  assert.match(err.message, /ONEPASSWORD_EVENTS_TOKEN is not set/);
  assert.equal(server.requests.length, 0);
});

test('no auth block: requests pass unchanged', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const h = harness(t);
  await h.transport.send(post(server.url), context());
  assert.equal(server.requests[0]!.headers.authorization, undefined);
});
