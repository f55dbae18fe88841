/**
 * The bench's Events API stand-in, run as its own process so serving pages never competes with
 * the measured client for an event loop. Prints `{"url": ...}` once listening; exits when stdin
 * closes (so it never outlives the bench).
 *
 *   POST /b/<total>/<tag>/api/v2/auditevents   {} | {"limit":N,...} | {"cursor":"..."}
 *   GET  /_stats                               {"requests","items","bytes"}
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeCursor, eventPool, pageBody, type PagePosition } from './pages.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const ROUTE = /^\/b\/(\d+)\/[\w-]+\/api\/v[12]\/\w+$/;

const pool = eventPool();
const stats = { requests: 0, items: 0, bytes: 0 };

function reply(res: ServerResponse, status: number, body: Buffer | string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function position(total: number, raw: string): PagePosition | undefined {
  const body = (raw.trim() === '' ? {} : JSON.parse(raw)) as { cursor?: unknown; limit?: unknown };
  if (typeof body.cursor === 'string') {
    const p = decodeCursor(body.cursor);
    return p && p.total === total ? p : undefined;
  }
  const limit = typeof body.limit === 'number' ? Math.min(MAX_LIMIT, Math.max(1, Math.floor(body.limit))) : DEFAULT_LIMIT;
  return { total, limit, offset: 0 };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/_stats') return reply(res, 200, JSON.stringify(stats));
  const route = ROUTE.exec(url);
  if (!route || req.method !== 'POST') return reply(res, 404, '{"Error":{"Message":"Not Found"}}');
  if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) return reply(res, 401, '{"Error":{"Message":"Unauthorized"}}');
  let p: PagePosition | undefined;
  try {
    p = position(Number(route[1]), await readBody(req));
  } catch {
    p = undefined;
  }
  if (!p) return reply(res, 400, '{"Error":{"Message":"Bad Request"}}');
  const page = pageBody(pool, p);
  stats.requests++;
  stats.items += page.items;
  stats.bytes += page.body.length;
  reply(res, 200, page.body);
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => reply(res, 500, '{"Error":{"Message":"Internal Server Error"}}'));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}` }) + '\n');
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
