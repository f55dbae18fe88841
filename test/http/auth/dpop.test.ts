import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { authSchema } from '../../../src/config/schema.js';
import { authTransport } from '../../../src/http/auth/auth-transport.js';
import { httpTransport } from '../../../src/http/http-transport.js';
import { REDACTED } from '../../../src/http/record/format.js';
import { Redactor, isSecretField } from '../../../src/http/record/redact.js';
import type { HelError } from '../../../src/errors.js';
import { json, scriptedServer } from '../../helpers/loopback.js';
import { SecretResolver } from '../../../src/secrets/resolver.js';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ctx = () => ({ source: 's', signal: new AbortController().signal, page: 1 });

function transportFor(url: string, env: Record<string, string>, dpop: boolean) {
  const auth = authSchema.parse({ type: 'oauth2', token_url: `${url}/token`, client_id_env: 'CID', client_private_key_env: 'KEY', scopes: ['s'], dpop });
  return authTransport(httpTransport({ timeoutMs: 5000 }), auth, new SecretResolver({ env, path: '/nonexistent' }));
}

test('private_key_jwt: a PEM with \\n-escaped newlines in an env variable signs the client assertion (RS256, iss = sub = client id, aud = token_url)', async (t) => {
  const server = await scriptedServer(t, (_n, req, res) => (req.url === '/token' ? json(res, 200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 }) : json(res, 200, { items: [] })));
  const transport = transportFor(server.url, { CID: 'client-7', KEY: PEM.replace(/\n/g, '\\n') }, false);
  assert.equal((await transport.send({ method: 'GET', url: `${server.url}/api`, headers: {} }, ctx())).status, 200);
  const form = new URLSearchParams(server.requests[0]!.body);
  assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  assert.equal(form.get('client_secret'), null);
  const claims = decodeJwt(form.get('client_assertion')!);
  assert.deepEqual([claims.iss, claims.sub, claims.aud], ['client-7', 'client-7', `${server.url}/token`]);
  assert.equal(decodeProtectedHeader(form.get('client_assertion')!).alg, 'RS256');
  assert.equal(server.requests[1]!.headers.authorization, 'Bearer at-1');
});

test('DPoP: a resource server asking for a nonce gets one retry with it; a Bearer token despite dpop: true stops with a clear error', async (t) => {
  const server = await scriptedServer(t, (n, req, res) => {
    if (req.url === '/token') return json(res, 200, { access_token: 'at-1', token_type: 'DPoP', expires_in: 3600 });
    if (n === 1) return json(res, 401, { error: 'use_dpop_nonce' }, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'n-42' });
    return json(res, 200, { items: [] });
  });
  const transport = transportFor(server.url, { CID: 'c', KEY: PEM }, true);
  const response = await transport.send({ method: 'GET', url: `${server.url}/api?x=1`, headers: {} }, ctx());
  assert.equal(response.status, 200);
  assert.equal(server.requests.length, 3, 'token, refused proof, proof with the nonce — no second token');
  const retried = decodeJwt(String(server.requests[2]!.headers.dpop));
  assert.equal(retried.nonce, 'n-42');
  assert.equal(retried.htu, `${server.url}/api`, 'htu carries no query');
  assert.equal(server.requests[2]!.headers.authorization, 'DPoP at-1');

  const bearer = await scriptedServer(t, (_n, _req, res) => json(res, 200, { access_token: 'at-2', token_type: 'Bearer', expires_in: 3600 }));
  const err = await transportFor(bearer.url, { CID: 'c', KEY: PEM }, true)
    .send({ method: 'GET', url: `${bearer.url}/api`, headers: {} }, ctx())
    .then(
      () => undefined,
      (e: HelError) => e,
    );
  assert.equal(err?.code, 'HEL_AUTH');
  assert.match(err.message, /returned a Bearer token although dpop is on/);
});

test('recordings hide the client assertion and the DPoP proof', () => {
  const redactor = new Redactor();
  assert.ok(isSecretField('client_assertion'));
  assert.deepEqual(redactor.headers({ dpop: 'eyJ.proof.sig', accept: 'application/json' }), { dpop: REDACTED, accept: 'application/json' });
});
