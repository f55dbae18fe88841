import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { isHelError, type HelError } from '../../src/errors.js';
import { onePassword } from '../../src/integrations/onepassword/index.js';
import { resilience } from '../helpers/resilience-config.js';
import { context, harness, post, thrown } from '../helpers/transport-harness.js';
import { json, scriptedServer } from '../helpers/loopback.js';

const OK = { items: [], cursor: 'c2', has_more: false };

test('500 burst then success: exact backoff delays 2 s, 4 s, 8 s', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n < 3 ? json(res, 500, { Error: { Message: 'Internal Server Error' } }) : json(res, 200, OK)));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 5 } }) });
  const ctx = context();
  const res = await h.transport.send(post(`${server.url}/api/v2/auditevents`), ctx);
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body.toString()), OK);
  assert.deepEqual(h.clock.sleeps, [2000, 4000, 8000]);
  assert.deepEqual(
    h.retries.map((r) => r.attempt),
    [2, 3, 4],
  );
  assert.match(h.retries[0]!.reason, /HTTP 500 Internal Server Error; retrying in 2 s/);
  assert.equal(ctx.attempt, 4);
  assert.equal(server.requests.length, 4);
  assert.ok(
    server.requests.every((r) => r.body === '{}'),
    'the same request is re-sent',
  );
});

test('connection reset, then 500, then 200 (undici style script)', async (t) => {
  const server = await scriptedServer(t, (n, req, res) => {
    if (n === 0) req.socket.destroy();
    else if (n === 1) json(res, 500, {});
    else json(res, 200, OK);
  });
  const h = harness(t);
  const res = await h.transport.send(post(`${server.url}/api/v2/auditevents`), context());
  assert.equal(res.status, 200);
  assert.deepEqual(h.clock.sleeps, [2000, 4000]);
  assert.match(h.retries[0]!.reason, /connection to 127\.0\.0\.1:\d+ failed/);
});

test('backoff is capped at max_backoff_secs', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n < 5 ? json(res, 503, {}) : json(res, 200, OK)));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 6, max_backoff_secs: 10 } }) });
  await h.transport.send(post(server.url), context());
  assert.deepEqual(h.clock.sleeps, [2000, 4000, 8000, 10000, 10000]);
});

test('attempts exhausted: HEL_HTTP_STATUS with status, attempt, redacted URL and hint', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 503, { status: 503, message: 'maintenance window' }));
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 3 } }), advise: onePassword.troubleshoot });
  const err = (await thrown(() => h.transport.send(post(`${server.url}/api/v2/auditevents?token=abc`), context()))) as HelError;
  assert.ok(isHelError(err));
  assert.equal(err.code, 'HEL_HTTP_STATUS');
  assert.equal(err.context.status, 503);
  assert.equal(err.context.attempt, 3);
  assert.equal(err.context.source, 'test-source');
  assert.equal(err.context.url, `${server.url}/api/v2/auditevents?token=REDACTED`);
  assert.equal(err.message, 'HTTP 503 Service Unavailable ("maintenance window"); gave up after 3 attempts');
  assert.match(err.context.hint ?? '', /status-codes/);
  assert.deepEqual(h.clock.sleeps, [2000, 4000]);
  assert.equal(server.requests.length, 3);
});

test('408 is retried', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => (n === 0 ? json(res, 408, {}) : json(res, 200, OK)));
  const h = harness(t);
  assert.equal((await h.transport.send(post(server.url), context())).status, 200);
  assert.deepEqual(h.clock.sleeps, [2000]);
});

for (const status of [400, 401, 403, 404, 405, 422]) {
  test(`${status} is not retried`, async (t) => {
    const server = await scriptedServer(t, (_n, _req, res) => json(res, status, {}));
    const h = harness(t, { resilience: resilience({ retries: { max_attempts: 5 } }) });
    const err = (await thrown(() => h.transport.send(post(`${server.url}/api/v2/auditevents`), context()))) as HelError;
    assert.equal(err.code, 'HEL_HTTP_STATUS');
    assert.equal(err.context.status, status);
    assert.equal(err.context.attempt, 1);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(h.clock.sleeps, []);
  });
}

test('401 on a 1Password endpoint names the feature the token needs', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 401, { Error: { Message: 'Unauthorized' } }));
  const h = harness(t, { advise: onePassword.troubleshoot });
  const err = (await thrown(() => h.transport.send(post(`${server.url}/api/v2/signinattempts`), context()))) as HelError;
  assert.equal(err.message, 'HTTP 401 Unauthorized');
  assert.match(err.context.hint ?? '', /invalid, revoked or expired/);
  assert.match(err.context.hint ?? '', /the token needs the signinattempts feature/);
});

test('400 on a stored cursor says the cursor was rejected and suggests on_cursor_error: reset', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 400, { Error: { Message: 'Bad Request' } }));
  const h = harness(t);
  const err = (await thrown(() => h.transport.send(post(`${server.url}/api/v2/auditevents`, '{"cursor":"old"}'), context({ carriesCursor: true })))) as HelError;
  assert.equal(err.message, 'HTTP 400 Bad Request');
  assert.match(err.context.hint ?? '', /rejected the stored cursor/);
  assert.match(err.context.hint ?? '', /on_cursor_error: reset/);
});

test('400 on a first request explains the ResetCursor body', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 400, { status: 400, message: 'limit must be between 1 and 1000' }));
  const h = harness(t, { advise: onePassword.troubleshoot });
  const err = (await thrown(() => h.transport.send(post(`${server.url}/api/v2/auditevents`, '{"limit":5000}'), context()))) as HelError;
  assert.equal(err.message, 'HTTP 400 Bad Request ("limit must be between 1 and 1000")');
  assert.match(err.context.hint ?? '', /JSON object.*ResetCursor.*cursor from the previous response/);
});

test('a connection refused is HEL_NETWORK with a URL / region hint, retried then given up', async (t) => {
  const server = await scriptedServer(t, () => undefined);
  const url = server.url;
  await server.close();
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 2 } }) });
  const err = (await thrown(() => h.transport.send(post(url), context()))) as HelError;
  assert.equal(err.code, 'HEL_NETWORK');
  assert.match(err.message, /cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\); gave up after 2 attempts/);
  assert.match(err.context.hint ?? '', /check the URL \/ region/);
  assert.equal(err.context.attempt, 2);
  assert.deepEqual(h.clock.sleeps, [2000]);
});

test('a DNS failure is HEL_NETWORK with a URL / region hint', async (t) => {
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 1 } }) });
  const err = (await thrown(() => h.transport.send(post('http://no-such-host.invalid/api'), context()))) as HelError;
  assert.equal(err.code, 'HEL_NETWORK');
  assert.match(err.message, /cannot connect to no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)\)/);
  assert.match(err.context.hint ?? '', /check the URL \/ region/);
});

test('a 200 with a truncated body is a network failure, retried, never a short 200', async (t) => {
  const full = JSON.stringify({ items: [{ uuid: 'a' }], cursor: 'c', has_more: false });
  const server = await scriptedServer(t, (n, _req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(full.length) });
    if (n === 0) {
      res.write(full.slice(0, 10));
      setTimeout(() => res.socket?.destroy(), 20);
    } else {
      res.end(full);
    }
  });
  const h = harness(t);
  const res = await h.transport.send(post(server.url), context());
  assert.equal(res.body.toString(), full);
  assert.deepEqual(h.clock.sleeps, [2000]);
});

test('a truncated chunked body with no attempts left throws HEL_NETWORK', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"items":[');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const h = harness(t, { resilience: resilience({ retries: { max_attempts: 1 } }) });
  const err = (await thrown(() => h.transport.send(post(server.url), context()))) as HelError;
  assert.equal(err.code, 'HEL_NETWORK');
});

test('a body stalled past timeout_secs is HEL_TIMEOUT, then retried', async (t) => {
  const server = await scriptedServer(t, (n, _req, res) => {
    if (n === 0) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[');
      return; // never finishes
    }
    json(res, 200, OK);
  });
  const h = harness(t, { resilience: resilience({ timeout_secs: 0.2 }) });
  const started = performance.now();
  const res = await h.transport.send(post(server.url), context());
  assert.equal(res.status, 200);
  assert.deepEqual(h.clock.sleeps, [2000]);
  assert.match(h.retries[0]!.reason, /no complete response within 0\.2 s; retrying/);
  assert.ok(performance.now() - started < 2000);
});

test('HEL_TIMEOUT when attempts run out names timeout_secs', async (t) => {
  const server = await scriptedServer(t, () => undefined); // never answers
  const h = harness(t, { resilience: resilience({ timeout_secs: 0.2, retries: { max_attempts: 1 } }) });
  const err = (await thrown(() => h.transport.send(post(server.url), context()))) as HelError;
  assert.equal(err.code, 'HEL_TIMEOUT');
  assert.match(err.context.hint ?? '', /timeout_secs/);
});

test('cancellation during a backoff returns promptly with HEL_CANCELLED', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 500, {}));
  const controller = new AbortController();
  const h = harness(t, {
    clock: systemClock,
    resilience: resilience({ retries: { max_attempts: 5, initial_backoff_secs: 600 } }),
  });
  const started = performance.now();
  const pending = h.transport.send(post(server.url), context({ signal: controller.signal }));
  setTimeout(() => controller.abort(), 50);
  const err = (await thrown(() => pending)) as HelError;
  assert.equal(err.code, 'HEL_CANCELLED');
  assert.ok(performance.now() - started < 1000, 'returned well before the 600 s backoff');
  assert.equal(server.requests.length, 1);
});

test('an already aborted signal sends nothing', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, OK));
  const controller = new AbortController();
  controller.abort();
  const h = harness(t);
  const err = (await thrown(() => h.transport.send(post(server.url), context({ signal: controller.signal })))) as HelError;
  assert.equal(err.code, 'HEL_CANCELLED');
  assert.equal(server.requests.length, 0);
});
