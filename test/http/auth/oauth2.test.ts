import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test, type TestContext } from 'node:test';
import { authSchema, type AuthConfig } from '../../../src/config/schema.js';
import type { HelError } from '../../../src/errors.js';
import { context, harness, post, thrown } from '../../helpers/transport-harness.js';
import { json, scriptedServer } from '../../helpers/loopback.js';

const ENV = { CID: 'client-1', CSECRET: 'client-secret-1', RTOKEN: 'refresh-1' };

interface Plan {
  /** Answers the token endpoint; `k` counts token requests. */
  token?: (k: number, form: URLSearchParams, res: ServerResponse) => void;
  /** Answers the API; `k` counts API requests. */
  api?: (k: number, authorization: string | undefined, res: ServerResponse) => void;
}

/** One loopback server playing both the OAuth2 token endpoint and the API. */
async function oauthServer(t: TestContext, plan: Plan = {}) {
  let tokens = 0;
  let calls = 0;
  const server = await scriptedServer(t, (_n, req, res, body) => {
    if (req.url === '/oauth/token') {
      const k = tokens++;
      if (plan.token) plan.token(k, new URLSearchParams(body), res);
      else json(res, 200, { access_token: `access-${k + 1}`, token_type: 'Bearer', expires_in: 3600 });
    } else {
      const k = calls++;
      if (plan.api) plan.api(k, req.headers.authorization, res);
      else json(res, 200, { items: [] });
    }
  });
  const tokenRequests = () => server.requests.filter((r) => r.path === '/oauth/token');
  const apiRequests = () => server.requests.filter((r) => r.path !== '/oauth/token');
  return { server, tokenRequests, apiRequests };
}

function oauth(url: string, extra: Record<string, unknown> = {}): AuthConfig {
  return authSchema.parse({ type: 'oauth2', token_url: `${url}/oauth/token`, client_id_env: 'CID', client_secret_env: 'CSECRET', ...extra });
}

test('client_credentials: one token request, cached across requests, with scopes', async (t) => {
  const { server, tokenRequests, apiRequests } = await oauthServer(t);
  const h = harness(t, { auth: oauth(server.url, { scopes: ['logs.read', 'audit.read'] }), env: ENV });
  for (let i = 0; i < 3; i++) await h.transport.send(post(`${server.url}/api/logs`), context());
  assert.equal(tokenRequests().length, 1);
  const form = new URLSearchParams(tokenRequests()[0]!.body);
  assert.equal(form.get('grant_type'), 'client_credentials');
  assert.equal(form.get('client_id'), 'client-1');
  assert.equal(form.get('client_secret'), 'client-secret-1');
  assert.equal(form.get('scope'), 'logs.read audit.read');
  assert.equal(tokenRequests()[0]!.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(
    apiRequests().map((r) => r.headers.authorization),
    ['Bearer access-1', 'Bearer access-1', 'Bearer access-1'],
  );
});

test('the token is renewed a margin before it expires', async (t) => {
  const { server, tokenRequests, apiRequests } = await oauthServer(t);
  const h = harness(t, { auth: oauth(server.url), env: ENV });
  await h.transport.send(post(`${server.url}/api/logs`), context());
  h.clock.advance(3600_000 - 61_000);
  await h.transport.send(post(`${server.url}/api/logs`), context());
  h.clock.advance(2_000);
  await h.transport.send(post(`${server.url}/api/logs`), context());
  assert.equal(tokenRequests().length, 2);
  assert.deepEqual(
    apiRequests().map((r) => r.headers.authorization),
    ['Bearer access-1', 'Bearer access-1', 'Bearer access-2'],
  );
});

test('refresh_token grant, using a rotated refresh token next time', async (t) => {
  const { server, tokenRequests } = await oauthServer(t, {
    token: (k, _form, res) => json(res, 200, { access_token: `access-${k + 1}`, expires_in: 60, refresh_token: `refresh-${k + 2}` }),
  });
  const h = harness(t, { auth: oauth(server.url, { refresh_token_env: 'RTOKEN' }), env: ENV });
  await h.transport.send(post(`${server.url}/api/logs`), context());
  h.clock.advance(60_000);
  await h.transport.send(post(`${server.url}/api/logs`), context());
  const forms = tokenRequests().map((r) => new URLSearchParams(r.body));
  assert.deepEqual(
    forms.map((f) => [f.get('grant_type'), f.get('refresh_token')]),
    [
      ['refresh_token', 'refresh-1'],
      ['refresh_token', 'refresh-2'],
    ],
  );
});

test('a 401 drops the cached token, fetches a new one and retries exactly once', async (t) => {
  const { server, tokenRequests, apiRequests } = await oauthServer(t, {
    api: (_k, authorization, res) => (authorization === 'Bearer access-1' ? json(res, 401, { error: 'invalid_token' }) : json(res, 200, {})),
  });
  const h = harness(t, { auth: oauth(server.url), env: ENV });
  const res = await h.transport.send(post(`${server.url}/api/logs`), context());
  assert.equal(res.status, 200);
  assert.equal(tokenRequests().length, 2);
  assert.deepEqual(
    apiRequests().map((r) => r.headers.authorization),
    ['Bearer access-1', 'Bearer access-2'],
  );
  assert.deepEqual(h.clock.sleeps, [], 'no backoff for the auth retry');
});

test('a 401 that persists after the refresh is not retried again', async (t) => {
  const { server, tokenRequests, apiRequests } = await oauthServer(t, { api: (_k, _a, res) => json(res, 401, {}) });
  const h = harness(t, { auth: oauth(server.url), env: ENV });
  const err = (await thrown(() => h.transport.send(post(`${server.url}/api/logs`), context()))) as HelError;
  assert.equal(err.code, 'HEL_HTTP_STATUS');
  assert.equal(err.context.status, 401);
  assert.equal(apiRequests().length, 2);
  assert.equal(tokenRequests().length, 2);
});

test('a failing token endpoint is HEL_AUTH with the OAuth error, not retried', async (t) => {
  const { server, tokenRequests, apiRequests } = await oauthServer(t, {
    token: (_k, _form, res) => json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' }),
  });
  const h = harness(t, { auth: oauth(server.url), env: ENV });
  const err = (await thrown(() => h.transport.send(post(`${server.url}/api/logs`), context()))) as HelError;
  assert.equal(err.code, 'HEL_AUTH');
  assert.equal(err.message, 'OAuth2 token request failed: HTTP 401 (Client authentication failed)');
  assert.match(err.context.hint ?? '', /client id, client secret, scopes and token_url/);
  assert.equal(tokenRequests().length, 1);
  assert.equal(apiRequests().length, 0);
});

test('a token endpoint connection reset is retried by the retry wrapper', async (t) => {
  const { server, apiRequests } = await oauthServer(t, {
    token: (k, _form, res) => (k === 0 ? res.socket?.destroy() : json(res, 200, { access_token: 'ok', expires_in: 3600 })),
  });
  const h = harness(t, { auth: oauth(server.url), env: ENV });
  await h.transport.send(post(`${server.url}/api/logs`), context());
  assert.deepEqual(h.clock.sleeps, [2000]);
  assert.equal(apiRequests()[0]!.headers.authorization, 'Bearer ok');
});

test('concurrent requests share one token request', async (t) => {
  const { server, tokenRequests } = await oauthServer(t);
  const h = harness(t, { auth: oauth(server.url), env: ENV });
  await Promise.all([1, 2, 3].map(() => h.transport.send(post(`${server.url}/api/logs`), context())));
  assert.equal(tokenRequests().length, 1);
});
