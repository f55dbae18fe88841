export { prng } from '../crash.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Faults applied before the receiver looks at a request. */
export interface Faults {
  /** Share of requests answered `status` (default 500) without being processed. */
  errorRate?: number;
  status?: number;
  /** Extra headers on those answers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** Milliseconds to hold each answer (slow receiver). */
  delayMs?: () => number;
  random?: () => number;
}

export interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Respond = (status: number, body: unknown, headers?: Record<string, string>) => void;

/**
 * A loopback HTTP server that can go down (its port refuses connections) and come back on the
 * same port, with scripted faults in front of a receiver's own handler.
 */
export class LoopbackReceiver {
  faults: Faults = {};
  requests = 0;
  /** Requests answered with the scripted fault status. */
  faulted = 0;
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly handle: (req: Received, respond: Respond) => void | Promise<void>) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 60_000;
    server.listen(this.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Closes the port and every open connection: the receiver is down. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests++;
      const parsed = new URL(req.url ?? '/', 'http://x');
      const received: Received = { path: parsed.pathname, query: parsed.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
      const respond: Respond = (status, body, headers = {}) => {
        if (res.destroyed) return;
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(text);
      };
      const f = this.faults;
      const random = f.random ?? Math.random;
      const delay = f.delayMs?.() ?? 0;
      const run = async (): Promise<void> => {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (f.errorRate !== undefined && random() < f.errorRate) {
          this.faulted++;
          return respond(f.status ?? 500, { error: 'scripted fault' }, f.headers);
        }
        await this.handle(received, respond);
      };
      run().catch((err: unknown) => respond(500, { error: String(err) }));
    });
  }
}
