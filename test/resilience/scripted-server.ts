import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import type { Dispatcher } from 'undici';
import { createDispatcher } from '../../src/http/http-transport.js';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** `n` is the 0-based index of the request; the handler scripts the fault for it. */
export type Script = (n: number, req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface ScriptedServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** A real loopback HTTP server on port 0, closed when the test ends. */
export async function scriptedServer(t: TestContext, script: Script): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const n = requests.length;
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      script(n, req, res, body);
    });
  });
  server.on('connection', () => (connections += 1));
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  t.after(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, connections: () => connections, close };
}

/** A dispatcher that ignores the environment's proxy settings, closed when the test ends. */
export function testDispatcher(t: TestContext, env: NodeJS.ProcessEnv = {}): Dispatcher {
  const dispatcher = createDispatcher(env);
  t.after(() => dispatcher.destroy());
  return dispatcher;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
