import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackApi {
  url: string;
  requests: number;
  close(): Promise<void>;
}

type Respond = (req: IncomingMessage, res: ServerResponse, body: string, api: LoopbackApi) => void;

async function startApi(respond: Respond): Promise<LoopbackApi> {
  const api: LoopbackApi = { url: '', requests: 0, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      api.requests++;
      respond(req, res, body, api);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  api.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return api;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Event times a few minutes in the past, so cursor lag is small and known. */
function event(uuid: string, minutesAgo: number): Record<string, string> {
  return { uuid, timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(), action: 'signin' };
}

/**
 * A cursor-paginated events API: the first poll gets two pages (3 events, one of them repeated on
 * page 2 for the dedupe window to drop), later polls get an empty page that keeps the cursor.
 */
export function startCursorApi(): Promise<LoopbackApi> {
  return startApi((_req, res, body) => {
    const cursor = (JSON.parse(body || '{}') as { cursor?: string }).cursor;
    if (cursor === undefined) return json(res, 200, { items: [event('e1', 10), event('e2', 9)], cursor: 'c1', has_more: true });
    if (cursor === 'c1') return json(res, 200, { items: [event('e2', 9), event('e3', 5)], cursor: 'c2', has_more: false });
    json(res, 200, { items: [], cursor, has_more: false });
  });
}

/** Always answers `status` with a body whose text must be escaped on the status page. */
export function startFailingApi(status: number): Promise<LoopbackApi> {
  return startApi((_req, res) => json(res, status, { error: `<img src=x onerror=alert(1)> broken ${status}` }));
}
