import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, decodeProtectedHeader, errors, importJWK, jwtVerify } from 'jose';
import { startOnePasswordMock } from '../../../../src/integrations/onepassword/mock/server.js';
import { daysUntilExpiry, decodeEventsToken, tokenFeatures, tokenHost } from '../../../../src/integrations/onepassword/jwt.js';
import { call } from './http.js';

// Issue 18 item 2: 1Password's own clients (Splunk app, Elastic beat) accept only ES256-signed
// bearer tokens. This test is such a client: it verifies the mock's tokens with ES256 and the
// mock's public key, and refuses anything signed otherwise.

const CLAIMS = ['1password.com/auuid', '1password.com/fts', '1password.com/token', 'aud', 'iat', 'iss', 'jti', 'sub'];

/** What a real client does: verify the JWS with ES256 only, against the issuer's key. */
async function verifyAsRealClient(token: string, jwk: Parameters<typeof importJWK>[0]) {
  const key = await importJWK(jwk, 'ES256');
  return jwtVerify(token, key, { algorithms: ['ES256'], issuer: 'com.1password.b5' });
}

void test('the default token is an ES256 JWS with a kid, verifiable with the public key, carrying the real claim set', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  t.after(() => mock.close());
  const header = decodeProtectedHeader(mock.token);
  assert.deepEqual(header, { alg: 'ES256', kid: mock.publicJwk.kid });
  assert.match(String(header.kid), /^[a-z2-7]{26}$/);
  assert.equal(mock.publicJwk.kty, 'EC');
  assert.equal(mock.publicJwk.crv, 'P-256');
  assert.equal(mock.publicJwk.d, undefined, 'no private part');

  const { payload, protectedHeader } = await verifyAsRealClient(mock.token, mock.publicJwk);
  assert.equal(protectedHeader.alg, 'ES256');
  assert.deepEqual(Object.keys(payload).sort(), CLAIMS, 'no exp (never expires), no vts (Connect only)');
  assert.deepEqual(payload.aud, ['events.1password.com']);
  assert.deepEqual(payload['1password.com/fts'], ['auditevents', 'signinattempts', 'itemusages']);
  assert.match(String(payload.sub), /^[A-Z2-7]{26}$/);
  assert.match(String(payload['1password.com/auuid']), /^[A-Z2-7]{26}$/);

  const expiring = await mock.mintToken({ aud: 'events.1password.eu', features: ['itemusages'], expiresInSecs: 30 * 86_400 });
  const verified = await verifyAsRealClient(expiring, mock.publicJwk);
  assert.deepEqual(Object.keys(verified.payload).sort(), [...CLAIMS, 'exp'].sort());
  assert.equal(verified.payload.exp, (verified.payload.iat ?? 0) + 30 * 86_400);
});

void test('Hel reads region, features and expiry from the ES256 tokens without verifying them', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  t.after(() => mock.close());
  const claims = decodeEventsToken(await mock.mintToken({ aud: 'events.1password.ca', features: ['auditevents'], expiresInSecs: 10 * 86_400 }));
  assert.ok(claims);
  assert.equal(tokenHost(claims), 'events.1password.ca');
  assert.deepEqual(tokenFeatures(claims), ['auditevents']);
  const days = daysUntilExpiry(claims, Date.now());
  assert.ok(days !== undefined && days > 9.9 && days <= 10, String(days));
});

void test('an HS256 token with the same claims is refused by the real-client check and by the mock', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  t.after(() => mock.close());
  const claims = decodeEventsToken(mock.token);
  assert.ok(claims);
  const hs256 = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', kid: String(mock.publicJwk.kid) }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
  await assert.rejects(verifyAsRealClient(hs256, mock.publicJwk), errors.JOSEAlgNotAllowed);
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: hs256 })).status, 401);
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${mock.token.split('.')[1] ?? ''}.`;
  await assert.rejects(verifyAsRealClient(unsigned, mock.publicJwk));
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: unsigned })).status, 401);
});

void test('a tampered signature fails both checks; a token of another mock fails against this key', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  const other = await startOnePasswordMock({ events: 1 });
  t.after(() => Promise.all([mock.close(), other.close()]));
  const flipped = mock.token.slice(0, -2) + (mock.token.endsWith('AA') ? 'BB' : 'AA');
  await assert.rejects(verifyAsRealClient(flipped, mock.publicJwk), errors.JWSSignatureVerificationFailed);
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: flipped })).status, 401);
  await assert.rejects(verifyAsRealClient(other.token, mock.publicJwk), errors.JWSSignatureVerificationFailed);
});

void test('with a seed, the signing key and so the tokens survive a restart of the mock', async (t) => {
  const first = await startOnePasswordMock({ events: 1, seed: 'keys' });
  const token = first.token;
  const jwk = first.publicJwk;
  await first.close();
  const second = await startOnePasswordMock({ events: 1, seed: 'keys' });
  t.after(() => second.close());
  assert.deepEqual(second.publicJwk, jwk);
  await verifyAsRealClient(token, second.publicJwk);
  assert.equal((await call(second, 'GET', '/api/v2/auth/introspect', { token })).status, 200);
});
