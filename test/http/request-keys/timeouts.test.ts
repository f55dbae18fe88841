import assert from 'node:assert/strict';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { composeTransport } from '../../../src/app/compose.js';
import { resilienceSchema } from '../../../src/config/schema.js';
import { isHelError } from '../../../src/errors.js';
import type { HttpTransport } from '../../../src/http/transport.js';
import { BudgetRegistry } from '../../../src/resilience/budget.js';
import { FakeClock } from '../../helpers/clock.js';
import { context, thrown } from '../../helpers/transport-harness.js';
import { scriptedServer } from '../../helpers/loopback.js';
import { SecretResolver } from '../../../src/secrets/resolver.js';

/** The source's request path as `hel run` builds it (its own agent when connect_secs or idle_secs is set), one attempt. */
function transportWith(resilience: Record<string, unknown>): HttpTransport {
  const clock = new FakeClock();
  return composeTransport({
    source: 'slow',
    config: { resilience: resilienceSchema.parse({ retries: { max_attempts: 0 }, ...resilience }) },
    secrets: new SecretResolver({ env: {}, path: '/nonexistent/hel-secrets.enc' }),
    clock,
    budgets: new BudgetRegistry(clock),
  });
}

const get = (url: string) => ({ method: 'GET' as const, url, headers: {} });

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

test('timeouts.request_secs bounds the whole request, overriding timeout_secs', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => setTimeout(() => res.end('{"items":[]}'), 3000).unref());
  const { value: err, ms } = await timed(() => thrown(() => transportWith({ timeout_secs: 60, timeouts: { request_secs: 0.3 } }).send(get(`${server.url}/e`), context())));
  assert.ok(isHelError(err) && err.code === 'HEL_TIMEOUT', String(err));
  assert.match(err.message, /no complete response within 0\.3 s/);
  assert.ok(ms < 2500, `gave up after ${Math.round(ms)} ms`);
});

test('timeouts.read_secs: a body that stops arriving fails long before request_secs', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"items":[');
    setTimeout(() => res.end(']}'), 3000).unref();
  });
  const { value: err, ms } = await timed(() => thrown(() => transportWith({ timeouts: { request_secs: 30, read_secs: 0.3 } }).send(get(`${server.url}/e`), context())));
  assert.ok(isHelError(err) && err.code === 'HEL_TIMEOUT', String(err));
  assert.match(err.message, /sent nothing for longer than timeouts\.read_secs while sending the body/);
  assert.match(err.context.hint ?? '', /raise resilience\.timeouts\.read_secs/);
  assert.ok(ms < 2500, `gave up after ${Math.round(ms)} ms`);
});

test('timeouts.read_secs: headers that do not come fail too', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => setTimeout(() => res.end('{}'), 3000).unref());
  const err = await thrown(() => transportWith({ timeouts: { read_secs: 0.3 } }).send(get(`${server.url}/e`), context()));
  assert.ok(isHelError(err) && err.code === 'HEL_TIMEOUT');
  assert.match(err.message, /while Hel waited for the headers/);
});

test('timeouts.connect_secs: a TLS handshake that never completes fails after connect_secs', async (t: TestContext) => {
  // Accepts TCP connections and never answers: connecting (TCP + TLS) cannot finish.
  const sockets: Socket[] = [];
  const silent = createTcpServer((socket) => void sockets.push(socket));
  silent.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => silent.once('listening', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/e`;
  const { value: err, ms } = await timed(() => thrown(() => transportWith({ timeouts: { connect_secs: 0.3, request_secs: 20 } }).send(get(url), context())));
  assert.ok(isHelError(err) && err.code === 'HEL_NETWORK', String(err));
  assert.match(err.message, /cannot connect to 127\.0\.0\.1:\d+ \(UND_ERR_CONNECT_TIMEOUT\)/);
  assert.ok(ms < 5000, `gave up after ${Math.round(ms)} ms`);
});

test('timeouts.idle_secs: a connection idle for longer is closed, a shorter pause reuses it', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => res.end('{"items":[]}'));
  const pause = () => new Promise((resolve) => setTimeout(resolve, 600));

  const short = transportWith({ timeouts: { idle_secs: 0.2 } });
  await short.send(get(`${server.url}/e`), context());
  await pause();
  await short.send(get(`${server.url}/e`), context());
  assert.equal(server.connections(), 2, 'idle 0.6 s > idle_secs 0.2: a new connection');

  const long = transportWith({ timeouts: { idle_secs: 30 } });
  await long.send(get(`${server.url}/e`), context());
  await pause();
  await long.send(get(`${server.url}/e`), context());
  assert.equal(server.connections(), 3, 'idle 0.6 s < idle_secs 30: the same connection');
});
