import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnePasswordMock } from '../../../../src/integrations/onepassword/mock/server.js';
import { decodeEventsToken } from '../../../../src/integrations/onepassword/jwt.js';
import { BAD_REQUEST, UNAUTHORIZED, call, manualClock } from './http.js';

const UPPER_ID = /^[A-Z2-7]{26}$/;

void test('v2 introspect answers snake_case with the account; v1 answers PascalCase without it', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ seed: 'auth', now: clock.now, events: 5 });
  t.after(() => mock.close());
  const v2 = await call(mock, 'GET', '/api/v2/auth/introspect');
  assert.equal(v2.status, 200);
  assert.deepEqual(Object.keys(v2.json).sort(), ['account_uuid', 'features', 'issued_at', 'uuid']);
  assert.match(v2.json.uuid as string, UPPER_ID);
  assert.match(v2.json.account_uuid as string, UPPER_ID);
  assert.equal(v2.json.issued_at, '2026-03-02T12:00:00Z');
  assert.deepEqual(v2.json.features, ['auditevents', 'signinattempts', 'itemusages']);

  const v1 = await call(mock, 'GET', '/api/auth/introspect');
  assert.equal(v1.status, 200);
  assert.deepEqual(v1.json, { UUID: v2.json.uuid, IssuedAt: v2.json.issued_at, Features: v2.json.features });

  assert.equal((await call(mock, 'GET', '/api/v1/auth/introspect')).status, 404);
  assert.equal((await call(mock, 'GET', '/api/v1/introspect')).status, 404);
});

void test('the default token carries the documented claims, and minted tokens take aud, features and account', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  t.after(() => mock.close());
  const claims = decodeEventsToken(mock.token);
  assert.ok(claims);
  assert.deepEqual(claims.aud, ['events.1password.com']);
  assert.equal(claims.iss, 'com.1password.b5');
  assert.equal(claims.exp, undefined);
  assert.match(claims.sub ?? '', UPPER_ID);
  assert.match(String(claims.jti), UPPER_ID);
  assert.equal(typeof claims['1password.com/token'], 'string');
  const header = JSON.parse(Buffer.from(mock.token.split('.')[0] ?? '', 'base64url').toString()) as { alg: string; kid: string };
  assert.equal(header.alg, 'ES256');
  assert.match(header.kid, /^[a-z2-7]{26}$/);

  const minted = await mock.mintToken({ aud: 'events.1password.eu', features: ['signinattempts'], accountUuid: 'VZSYVT2LGHTBWBQGUJAIZVRABM', expiresInSecs: 3600 });
  const mintedClaims = decodeEventsToken(minted);
  assert.deepEqual(mintedClaims?.aud, ['events.1password.eu']);
  assert.deepEqual(mintedClaims?.['1password.com/fts'], ['signinattempts']);
  assert.equal(mintedClaims?.['1password.com/auuid'], 'VZSYVT2LGHTBWBQGUJAIZVRABM');
  assert.equal(mintedClaims?.exp, (mintedClaims?.iat ?? 0) + 3600);
  const introspect = await call(mock, 'GET', '/api/v2/auth/introspect', { token: minted });
  assert.equal(introspect.json.account_uuid, 'VZSYVT2LGHTBWBQGUJAIZVRABM');
  assert.deepEqual(introspect.json.features, ['signinattempts']);
});

void test('missing, malformed and tampered tokens get 401 Unauthorized', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  t.after(() => mock.close());
  const [header, payload, signature] = mock.token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const widened = Buffer.from(JSON.stringify({ ...claims, '1password.com/auuid': 'AAAAAAAAAAAAAAAAAAAAAAAAAA' })).toString('base64url');
  for (const token of [null, 'not-a-jwt', `${header}.${widened}.${signature}`, `${header}.${payload}.${signature.slice(0, -4)}AAAA`]) {
    const res = await call(mock, 'POST', '/api/v2/auditevents', { body: {}, token });
    assert.equal(res.status, 401, String(token));
    assert.deepEqual(res.json, UNAUTHORIZED);
  }
  const other = await startOnePasswordMock({ events: 1 });
  t.after(() => other.close());
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: other.token })).status, 401, 'a token of another mock instance');
});

void test('revoked and expired tokens get 401', async (t) => {
  const clock = manualClock();
  const mock = await startOnePasswordMock({ now: clock.now, events: 1 });
  t.after(() => mock.close());
  const token = await mock.mintToken();
  assert.equal((await call(mock, 'POST', '/api/v1/auditevents', { body: {}, token })).status, 200);
  mock.revokeToken(token);
  assert.deepEqual((await call(mock, 'POST', '/api/v1/auditevents', { body: {}, token })).json, UNAUTHORIZED);
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: await mock.mintToken({ revoked: true }) })).status, 401);

  const expiring = await mock.mintToken({ expiresInSecs: 60 });
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: expiring })).status, 200);
  clock.advance(60_000);
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: expiring })).status, 401);
  assert.equal((await call(mock, 'GET', '/api/v2/auth/introspect', { token: await mock.mintToken({ expiresInSecs: -1 }) })).status, 401);
  assert.deepEqual(
    mock.requests.filter((r) => r.status === 401).map((r) => r.reason),
    ['token revoked', 'token revoked', 'token expired', 'token expired'],
  );
});

void test('a token without the stream feature gets 401 on that stream only', async (t) => {
  const mock = await startOnePasswordMock({ events: 3 });
  t.after(() => mock.close());
  const token = await mock.mintToken({ features: ['auditevents', 'signinattempts'] });
  for (const version of ['v1', 'v2']) {
    const res = await call(mock, 'POST', `/api/${version}/itemusages`, { body: {}, token });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, UNAUTHORIZED);
    assert.equal((await call(mock, 'POST', `/api/${version}/auditevents`, { body: {}, token })).status, 200);
  }
});

void test('unknown paths get 404, wrong methods 405 with Allow', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  t.after(() => mock.close());
  assert.equal((await call(mock, 'POST', '/api/v3/itemusages', { body: {} })).status, 404);
  assert.equal((await call(mock, 'POST', '/', { body: {} })).status, 404);
  const get = await call(mock, 'GET', '/api/v2/auditevents');
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  const post = await call(mock, 'POST', '/api/v2/auth/introspect', { body: {} });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
  assert.equal((await call(mock, 'POST', '/api/v2/auditevents/', { body: {} })).status, 200, 'a trailing slash is tolerated');
});

void test('the body is JSON whatever the Content-Type; anything but an object is 400', async (t) => {
  const mock = await startOnePasswordMock({ events: 1 });
  t.after(() => mock.close());
  assert.equal((await call(mock, 'POST', '/api/v2/auditevents', { raw: '{"limit":5}', headers: { 'content-type': 'text/plain' } })).status, 200);
  assert.equal((await call(mock, 'POST', '/api/v2/auditevents', { raw: '{"limit":5}', headers: { ContentType: 'application/json' } })).status, 200);
  for (const raw of ['', 'nope', '[]', '"x"', '42', 'null']) {
    const res = await call(mock, 'POST', '/api/v2/auditevents', { raw });
    assert.equal(res.status, 400, JSON.stringify(raw));
    assert.deepEqual(res.json, BAD_REQUEST);
  }
});
