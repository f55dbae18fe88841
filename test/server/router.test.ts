import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { Router, type RequestInfo } from '../../src/server/router.js';
import { sendJson } from '../../src/server/respond.js';
import { listenOnLoopback, type Cleanups } from '../helpers/loopback.js';

// The REST router alone, behind a real loopback server: matching and path parameters, 404/405/400,
// the bearer token, and the cross-origin guard for POSTs when no token is configured.

const TOKEN = 'router-test-token-0123';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
}

type Call = (method: string, path: string, headers?: OutgoingHttpHeaders) => Promise<Answer>;

/** A router with a few routes whose handlers echo what they were given; `call` sends one request, `port` is where. */
async function serve(t: Cleanups, token: string | undefined): Promise<{ call: Call; port: string }> {
  const echo = (route: string) => (info: RequestInfo) => sendJson(info.res, 200, { route, params: info.params, authorized: info.authorized });
  const router = new Router(token)
    .get('/healthz', echo('healthz'))
    .get('/api/v1/sources', echo('sources'), { requiresToken: true })
    .get('/api/v1/sources/all', echo('all-literal'), { requiresToken: true })
    .get('/api/v1/sources/{name}', echo('source'), { requiresToken: true })
    .post('/api/v1/sources/{name}/poll', echo('poll'), { requiresToken: true })
    .post('/api/v1/reload', echo('reload'))
    .get('/api/v1/{kind}/{name}/state', echo('state'), { requiresToken: true });
  const server = createServer((req, res) => void router.handle(req, res));
  const { url } = await listenOnLoopback(server, t);
  const { port } = new URL(url);
  const call: Call = (method, path, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: body ? (JSON.parse(body) as Record<string, unknown>) : {} }));
      });
      req.on('error', reject);
      req.end();
    });
  return { call, port };
}

const bearer = { authorization: `Bearer ${TOKEN}` };

test('routes match whole segments; {params} are percent-decoded; the query, a trailing slash and empty segments do not matter', async (t) => {
  const { call } = await serve(t, TOKEN);
  assert.deepEqual((await call('GET', '/healthz')).json, { route: 'healthz', params: {}, authorized: false });
  assert.deepEqual((await call('GET', '/healthz/?verbose=1')).json.route, 'healthz');
  assert.deepEqual((await call('GET', '/api//v1/sources/', bearer)).json.route, 'sources');
  const named = await call('GET', '/api/v1/sources/okta%20audit%2Fprod%3F', bearer);
  assert.deepEqual(named.json, { route: 'source', params: { name: 'okta audit/prod?' }, authorized: true });
  assert.deepEqual((await call('GET', '/api/v1/sources/x/state', bearer)).json.params, { kind: 'sources', name: 'x' }, 'several params in one pattern');
  assert.equal((await call('GET', '/api/v1/sources/all', bearer)).json.route, 'all-literal', 'the route registered first wins');
  assert.equal((await call('GET', '/HEALTHZ')).status, 404, 'paths are case-sensitive');
});

test('no route: 404 not_found naming the path; a known path with another method: 405 with Allow; HEAD is answered like GET without a body', async (t) => {
  const { call } = await serve(t, TOKEN);
  const missing = await call('GET', '/api/v2/sources?x=1');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.code, 'not_found');
  assert.equal(missing.json.error, 'no endpoint at /api/v2/sources');
  assert.match(String(missing.headers['content-type']), /^application\/json/);
  assert.equal((await call('GET', '/api/v1/sources/a/b/c', bearer)).status, 404, 'a segment more than any pattern');

  const wrongMethod = await call('DELETE', '/api/v1/sources/a', bearer);
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.json.code, 'method_not_allowed');
  assert.equal(wrongMethod.headers.allow, 'GET');
  assert.equal(wrongMethod.json.error, 'DELETE is not allowed here; use GET');
  const getPoll = await call('GET', '/api/v1/sources/a/poll', bearer);
  assert.equal(getPoll.status, 405);
  assert.equal(getPoll.headers.allow, 'POST');

  const head = await call('HEAD', '/healthz');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.ok(Number(head.headers['content-length']) > 0, 'the GET answer’s length, without its body');
});

test('a path that is not valid percent-encoding is 400 bad_request', async (t) => {
  const { call } = await serve(t, TOKEN);
  const bad = await call('GET', '/api/v1/sources/%E0%A4%A');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.code, 'bad_request');
});

test('with a token: routes that need it answer 401 without it or with a wrong one (WWW-Authenticate); open routes learn whether it was sent', async (t) => {
  const { call } = await serve(t, TOKEN);
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: 'Bearer ' }, { authorization: `Bearer ${TOKEN}x` }]) {
    const denied = await call('GET', '/api/v1/sources', headers);
    assert.equal(denied.status, 401, JSON.stringify(headers));
    assert.equal(denied.json.code, 'unauthorized');
    assert.equal(denied.headers['www-authenticate'], 'Bearer realm="hel"');
    assert.ok(!denied.body.includes(TOKEN), 'the token is never echoed');
  }
  assert.equal((await call('GET', '/api/v1/sources', { authorization: `bearer ${TOKEN}` })).status, 200, 'the scheme is case-insensitive');
  assert.equal((await call('GET', '/healthz', bearer)).json.authorized, true);
  assert.equal((await call('GET', '/healthz', { authorization: 'Bearer wrong' })).json.authorized, false);
  const poll = await call('POST', '/api/v1/sources/s/poll', { ...bearer, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
  assert.equal(poll.status, 200, 'with a token the token is the guard, whatever the origin');
});

test('without a token every request is authorized, but a POST from a browser on another origin or through a DNS name is 403 cross_origin', async (t) => {
  const { call, port } = await serve(t, undefined);
  assert.equal((await call('GET', '/api/v1/sources')).json.authorized, true);

  const host = `127.0.0.1:${port}`;
  const allowed: OutgoingHttpHeaders[] = [
    {},
    { origin: `http://${host}` },
    { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
    { 'sec-fetch-site': 'none' },
    { host: `localhost:${port}`, origin: `http://localhost:${port}` },
    { host: `[::1]:${port}`, origin: `http://[::1]:${port}` },
  ];
  for (const headers of allowed) assert.equal((await call('POST', '/api/v1/reload', headers)).status, 200, JSON.stringify(headers));

  const refused: OutgoingHttpHeaders[] = [
    { origin: 'https://evil.example' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site', origin: `http://${host}` },
    { origin: 'not a url' },
    { host: `hel.attacker.example:${port}`, origin: `http://hel.attacker.example:${port}` },
  ];
  for (const headers of refused) {
    const answer = await call('POST', '/api/v1/reload', headers);
    assert.equal(answer.status, 403, JSON.stringify(headers));
    assert.equal(answer.json.code, 'cross_origin');
  }
  assert.equal((await call('GET', '/healthz', { origin: 'https://evil.example' })).status, 200, 'reads are not guarded: they change nothing');
});
