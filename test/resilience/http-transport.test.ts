import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../src/bus/event-bus.js';
import type { HelError } from '../../src/errors.js';
import { httpTransport } from '../../src/http/http-transport.js';
import type { TransportEventMap } from '../../src/http/transport.js';
import { context, post, thrown } from '../helpers/transport-harness.js';
import { json, scriptedServer, testDispatcher } from '../helpers/loopback.js';
import { loopbackProxy } from '../helpers/loopback-proxy.js';

test('keep-alive: several requests reuse one connection', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, { ok: true }));
  const transport = httpTransport({ timeoutMs: 5000, dispatcher: testDispatcher(t) });
  for (let i = 0; i < 5; i++) await transport.send(post(`${server.url}/page/${i}`), context());
  assert.equal(server.requests.length, 5);
  assert.equal(server.connections(), 1);
});

test('non-2xx statuses come back as responses with lower-case headers and a Buffer body', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => {
    res.writeHead(503, { 'X-Custom-Header': 'yes', 'Content-Type': 'text/plain' });
    res.end('down');
  });
  const transport = httpTransport({ timeoutMs: 5000, dispatcher: testDispatcher(t) });
  const res = await transport.send({ method: 'GET', url: `${server.url}/x?a=1`, headers: { accept: 'text/plain' } }, context());
  assert.equal(res.status, 503);
  assert.equal(res.headers['x-custom-header'], 'yes');
  assert.ok(Buffer.isBuffer(res.body));
  assert.equal(res.body.toString(), 'down');
  assert.equal(server.requests[0]!.method, 'GET');
  assert.equal(server.requests[0]!.headers.accept, 'text/plain');
});

test('the request method, headers and body reach the server', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const transport = httpTransport({ timeoutMs: 5000, dispatcher: testDispatcher(t) });
  await transport.send(post(`${server.url}/api/v2/auditevents`, '{"cursor":"abc"}'), context());
  assert.deepEqual(server.requests[0], {
    ...server.requests[0],
    method: 'POST',
    path: '/api/v2/auditevents',
    body: '{"cursor":"abc"}',
  });
  assert.equal(server.requests[0].headers['content-type'], 'application/json');
});

test('a response over the size cap fails with HEL_RESPONSE_TOO_LARGE naming the cap and the key', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, { items: 'x'.repeat(5000) }));
  const transport = httpTransport({ timeoutMs: 5000, maxResponseBytes: 1000, dispatcher: testDispatcher(t) });
  const err = (await thrown(() => transport.send(post(server.url), context()))) as HelError;
  assert.equal(err.code, 'HEL_RESPONSE_TOO_LARGE');
  assert.match(err.message, /larger than max_response_bytes \(1000 bytes\): Content-Length is 50\d\d bytes/);
  assert.match(err.context.hint ?? '', /max_response_bytes/);
});

test('http.response reports status and a redacted URL', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 202, {}));
  const seen: { status: number; url: string }[] = [];
  const events = new EventBus<TransportEventMap>();
  events.on('http.response', (i) => seen.push({ status: i.status, url: i.url }));
  const transport = httpTransport({ timeoutMs: 5000, dispatcher: testDispatcher(t), events });
  await transport.send({ method: 'GET', url: `${server.url}/x?api_key=s3cret`, headers: {} }, context());
  assert.deepEqual(seen, [{ status: 202, url: `${server.url}/x?api_key=REDACTED` }]);
});

test('HTTP_PROXY routes requests through the proxy', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, { via: 'proxy' }));
  const proxy = await loopbackProxy(t);
  const transport = httpTransport({ timeoutMs: 5000, dispatcher: testDispatcher(t, { HTTP_PROXY: proxy.url }) });
  const res = await transport.send(post(`${server.url}/api/v2/auditevents`), context());
  assert.equal(res.status, 200);
  assert.equal(proxy.used.length, 1);
  assert.match(proxy.used[0]!, /127\.0\.0\.1:\d+/);
});

test('NO_PROXY bypasses the proxy', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, {}));
  const proxy = await loopbackProxy(t);
  const transport = httpTransport({ timeoutMs: 5000, dispatcher: testDispatcher(t, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }) });
  await transport.send(post(server.url), context());
  assert.deepEqual(proxy.used, []);
  assert.equal(server.requests.length, 1);
});

test('an endless chunked body is abandoned as soon as it passes the cap', async (t) => {
  let written = 0;
  const server = await scriptedServer(t, (_n, _req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  const transport = httpTransport({ timeoutMs: 20_000, maxResponseBytes: 256 * 1024, dispatcher: testDispatcher(t) });
  const err = (await thrown(() => transport.send(post(server.url), context()))) as HelError;
  assert.equal(err.code, 'HEL_RESPONSE_TOO_LARGE');
  assert.match(err.message, /more than 262144 bytes arrived/);
  assert.ok(written < 16 * 1024 * 1024, `the server could write only what the socket buffers held (${written} bytes)`);
});

test('an error body is cut to 64 KiB and the rest is never read', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(Buffer.alloc(4 * 1024 * 1024, 0x61));
  });
  const transport = httpTransport({ timeoutMs: 5000, maxResponseBytes: 32 * 1024 * 1024, dispatcher: testDispatcher(t) });
  const response = await transport.send(post(server.url), context());
  assert.equal(response.status, 500);
  assert.equal(response.body.length, 64 * 1024);
});
