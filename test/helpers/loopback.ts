import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { createDispatcher } from '../../src/http/http-transport.js';

// The one place tests open loopback HTTP servers. `scriptedServer` is the raw form (the test
// writes the response); fake-api.ts builds scripted JSON APIs on it.

/** Registers cleanups: a node:test context, or a `cleanupScope()` for suite-level hooks. */
export interface Cleanups {
  after(fn: () => unknown): void;
}

/**
 * Listens on an ephemeral loopback port; the server is closed (once) when the test ends. The URL's
 * scheme follows the server (http or https).
 */
export async function listenOnLoopback(server: Server | HttpsServer, t: Cleanups): Promise<{ url: string; close: () => Promise<void> }> {
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  t.after(close);
  const scheme = server instanceof HttpsServer ? 'https' : 'http';
  return { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

/** A loopback port that was free a moment ago, for a server that must be told its port (PostgreSQL, NATS, hel's API). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** One request as a loopback server received it. */
export interface SeenRequest {
  /** 0-based, in arrival order. */
  n: number;
  method: string;
  /** Path with query, as sent. */
  url: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers request `n` (0-based) by writing to `res`, or not at all (a fault the test scripts). */
export type Script = (n: number, req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface ScriptedServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** A real loopback HTTP server on port 0 that logs every request once its body has arrived; closed when the test ends. */
export async function scriptedServer(t: Cleanups, script: Script): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const parsed = new URL(url, 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      const n = requests.length;
      requests.push({ n, method: req.method ?? '', url, path: parsed.pathname, query: parsed.searchParams, headers: req.headers, body });
      script(n, req, res, body);
    });
  });
  server.on('connection', () => (connections += 1));
  const { url, close } = await listenOnLoopback(server, t);
  return { url, requests, connections: () => connections, close };
}

/** Sends `body` as JSON with its Content-Length. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** A dispatcher that ignores the environment's proxy settings, closed when the test ends. */
export function testDispatcher(t: Cleanups, env: NodeJS.ProcessEnv = {}): Dispatcher {
  const dispatcher = createDispatcher(env);
  t.after(() => dispatcher.destroy());
  return dispatcher;
}
