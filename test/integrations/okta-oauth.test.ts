import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { authSchema } from '../../src/config/schema.js';
import { authTransport } from '../../src/http/auth/auth-transport.js';
import { DpopProofs } from '../../src/http/auth/dpop.js';
import { httpTransport } from '../../src/http/http-transport.js';
import type { HttpRequest } from '../../src/http/transport.js';
import { startOktaFake, type OktaFake } from '../../src/integrations/okta/fake.js';
import type { Cleanups } from '../helpers/loopback.js';
import { helrDocExample } from '../helpers/helr-docs.js';
import { closedAfter, workspace } from '../helpers/workspace.js';
import { SecretResolver } from '../../src/secrets/resolver.js';

function fake(t: Cleanups): Promise<OktaFake> {
  return closedAfter(t, startOktaFake({ events: 5, seed: 'test' }));
}

/** Helr's okta.md Option B example, as written, but for the scheme: the fake speaks http. */
const HELR_OAUTH_EXAMPLE = helrDocExample('okta-2', { 'https://': 'http://' });

test("okta OAuth 2.0: the Rust Hel's private_key_jwt + DPoP example runs as written (nonce round trip, DPoP-bound token, proofs with ath), and a second run delivers only what is new", async (t) => {
  const api = await fake(t);
  const ws = workspace(t, HELR_OAUTH_EXAMPLE);
  const env = { OKTA_DOMAIN: new URL(api.url).host, OKTA_CLIENT_ID: api.oauth.dpop.clientId, OKTA_CLIENT_PRIVATE_KEY: api.oauth.dpop.privateKeyPem };
  assert.match(env.OKTA_CLIENT_PRIVATE_KEY, /^-----BEGIN RSA PRIVATE KEY-----/, 'the PKCS#1 PEM of the doc');
  const first = await ws.runOnce(env);
  assert.equal(first.lines.length, 5);
  assert.deepEqual(
    api.requests.slice(0, 3).map((r) => r.replace(/\?.*? /, ' ')),
    ['POST /oauth2/v1/token 400', 'POST /oauth2/v1/token 200', 'GET /api/v1/logs 200'],
  );
  api.append(1);
  const second = await ws.runOnce(env);
  assert.deepEqual(
    second.lines.map((l) => l.event.uuid),
    ['okta-evt-00000006'],
  );
  for (const result of [first, second]) assert.doesNotMatch(result.stdout + result.stderr, /PRIVATE KEY|eyJfake/, 'neither the key nor a token is logged');
});

function oauthConfig(api: OktaFake, auth: Record<string, unknown>) {
  return {
    sources: {
      okta: {
        url: `${api.url}/api/v1/logs`,
        auth: { type: 'oauth2', token_url: `${api.url}/oauth2/v1/token`, client_id_env: 'OKTA_CLIENT_ID', scopes: ['okta.logs.read'], ...auth },
        pagination: { strategy: 'link_header' },
      },
    },
  };
}

test('okta OAuth 2.0: private_key_jwt from client_private_key_file without DPoP gets a Bearer token', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, oauthConfig(api, { client_private_key_file: 'KEY' }));
  const key = join(ws.dir, 'priv.pem');
  writeFileSync(key, api.oauth.jwt.privateKeyPem, { mode: 0o600 });
  writeFileSync(ws.config, JSON.stringify(oauthConfig(api, { client_private_key_file: key })));
  const run = await ws.runOnce({ OKTA_CLIENT_ID: api.oauth.jwt.clientId });
  assert.equal(run.lines.length, 5);
  assert.deepEqual(
    api.requests.slice(0, 2).map((r) => r.replace(/\?.*? /, ' ')),
    ['POST /oauth2/v1/token 200', 'GET /api/v1/logs 200'],
  );
});

test('okta OAuth 2.0 refusals get their fix: DPoP required but off, a key Okta does not know, no okta.logs.read granted, secret and key both set', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, oauthConfig(api, { client_private_key_env: 'OKTA_CLIENT_PRIVATE_KEY' }));
  const run = (clientId: string, key: string) => ws.hel(['run', '--once'], { OKTA_CLIENT_ID: clientId, OKTA_CLIENT_PRIVATE_KEY: key });
  const noDpop = await run(api.oauth.dpop.clientId, api.oauth.dpop.privateKeyPem);
  assert.notEqual(noDpop.code, 0);
  assert.match(noDpop.stderr, /OAuth2 token request failed: HTTP 400 \(The DPoP proof JWT header is missing\.\).*set dpop: true under auth/);
  const wrongKey = await run(api.oauth.jwt.clientId, api.oauth.unscoped.privateKeyPem);
  assert.match(wrongKey.stderr, /HTTP 401 \(The client_assertion token is invalid: signature verification failed\).*public key of client_private_key is registered for the client/);
  const unscoped = await run(api.oauth.unscoped.clientId, api.oauth.unscoped.privateKeyPem);
  assert.match(unscoped.stderr, /HTTP 400 \(The following scopes are not allowed: okta\.logs\.read\).*list only scopes granted to this client/);
  for (const result of [noDpop, wrongKey, unscoped]) assert.doesNotMatch(result.stdout + result.stderr, /PRIVATE KEY/);

  const both = workspace(t, oauthConfig(api, { client_private_key_env: 'OKTA_CLIENT_PRIVATE_KEY', client_secret_env: 'OKTA_CLIENT_SECRET' }));
  const validate = await both.hel(['validate'], { OKTA_CLIENT_ID: 'x', OKTA_CLIENT_PRIVATE_KEY: 'x', OKTA_CLIENT_SECRET: 'x' });
  assert.equal(validate.code, 2);
  assert.match(validate.stdout + validate.stderr, /sets both a client secret and a client private key/);
});

test('the Okta fake verifies DPoP proofs on API requests: the bound key, htm/htu, and ath for the very token', async (t) => {
  const api = await fake(t);
  const auth = authSchema.parse({ type: 'oauth2', token_url: `${api.url}/oauth2/v1/token`, client_id_env: 'CID', client_private_key_env: 'KEY', scopes: ['okta.logs.read'], dpop: true });
  let seen: HttpRequest | undefined;
  const base = httpTransport({ timeoutMs: 10_000 });
  const recording = { send: (req: HttpRequest, ctx: Parameters<typeof base.send>[1]) => ((seen = req), base.send(req, ctx)) };
  const transport = authTransport(recording, auth, new SecretResolver({ env: { CID: api.oauth.dpop.clientId, KEY: api.oauth.dpop.privateKeyPem }, path: '/nonexistent' }), { tokenTransport: base });
  const ctx = () => ({ source: 'okta', signal: new AbortController().signal, page: 1 });
  const url = `${api.url}/api/v1/logs?limit=1`;
  const ok = await transport.send({ method: 'GET', url, headers: {} }, ctx());
  assert.equal(ok.status, 200);
  const token = seen!.headers.authorization!.replace(/^DPoP /, '');
  assert.match(seen!.headers.authorization!, /^DPoP /);

  const send = (headers: Record<string, string>) => base.send({ method: 'GET', url, headers }, ctx());
  const bodyOf = (r: { body: Buffer }) => r.body.toString('utf8');
  const noProof = await send({ authorization: `DPoP ${token}` });
  assert.equal(noProof.status, 401);
  assert.match(bodyOf(noProof), /DPoP proof JWT header is missing/);
  const otherKey = new DpopProofs(systemClock);
  const foreign = await send({ authorization: `DPoP ${token}`, dpop: await otherKey.proof('GET', url, token) });
  assert.match(bodyOf(foreign), /not signed by the key the access token is bound to/);
  const replay = await send({ authorization: `DPoP ${token}`, dpop: seen!.headers.dpop! });
  assert.equal(replay.status, 401, 'a proof is good for one request (jti)');
  assert.equal((await send({ authorization: `Bearer ${token}` })).status, 401, 'a DPoP-bound token is no Bearer token');
});
