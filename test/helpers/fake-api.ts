import type { ServerResponse } from 'node:http';
import { scriptedServer, type Cleanups, type SeenRequest } from './loopback.js';

export type { SeenRequest } from './loopback.js';

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  raw?: string;
}

/** Returns the reply, or a promise of it (a held response). */
export type Handler = (req: SeenRequest) => Reply | Promise<Reply>;

export interface FakeApi {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  requests: SeenRequest[];
  /** Requests whose path (without query) is `path`. */
  on(path: string): SeenRequest[];
  /** Swaps the handler; requests already held keep the old one. */
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

/** A loopback JSON API on port 0 whose replies come from `handler`; logs every request and is closed when the test ends. */
export async function fakeApi(t: Cleanups, handler: Handler): Promise<FakeApi> {
  let current = handler;
  const server = await scriptedServer(t, (n, _req, res) => {
    Promise.resolve(current(server.requests[n]!)).then(
      (reply) => send(res, reply),
      (err: unknown) => send(res, { status: 500, body: { error: String(err) } }),
    );
  });
  return {
    url: server.url,
    requests: server.requests,
    on: (path) => server.requests.filter((r) => r.path === path),
    setHandler(h) {
      current = h;
    },
    close: () => server.close(),
  };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...reply.headers });
  res.end(text);
}

/** A response promise the test resolves later, to hold a page in flight. */
export function held(): { promise: Promise<Reply>; release(reply: Reply): void } {
  let release!: (reply: Reply) => void;
  const promise = new Promise<Reply>((resolve) => (release = resolve));
  return { promise, release };
}

export interface FeedEvent {
  uuid: string;
  timestamp: string;
  action: string;
}

/** `n` audit events with ids e00000, e00001, ... and increasing timestamps. */
export function makeEvents(n: number, from = 0): FeedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    uuid: `e${String(from + i).padStart(5, '0')}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + (from + i) * 1000).toISOString(),
    action: 'signin',
  }));
}

export const cursorAt = (offset: number): string => `c${String(offset).padStart(6, '0')}`;

export function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const m = /^c(\d+)$/.exec(cursor);
  if (!m) throw new Error(`bad cursor ${cursor}`);
  return Number(m[1]);
}

/**
 * A 1Password-style cursor feed over a growing event list: the cursor comes from the query
 * (GET) or the JSON body (POST); the reply has `items`, the next `cursor` and `has_more`.
 * At the end the cursor points past the last event, so new events appear behind it.
 */
export function cursorFeed(events: FeedEvent[], pageSize: number, options: { param?: string } = {}): Handler {
  const param = options.param ?? 'cursor';
  return (req) => {
    const fromBody = req.method === 'POST' && req.body ? (JSON.parse(req.body) as Record<string, unknown>)[param] : undefined;
    const cursor = typeof fromBody === 'string' ? fromBody : (req.query.get(param) ?? undefined);
    const offset = offsetOf(cursor);
    const items = events.slice(offset, offset + pageSize);
    const next = offset + items.length;
    return { body: { items, cursor: cursorAt(next), has_more: next < events.length } };
  };
}

/** A cursor-paginated source over a `cursorFeed` at `apiUrl`, with `dedupe` (on uuid unless told; false for none). */
export function feedSource(apiUrl: string, pageSize: number, dedupe: Record<string, unknown> | false = { id_path: 'uuid' }): Record<string, unknown> {
  return {
    url: `${apiUrl}/api/v2/events`,
    method: 'post',
    body: { limit: pageSize },
    pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 100_000 },
    response_events_path: 'items',
    ...(dedupe === false ? {} : { dedupe }),
  };
}

/** The cursor each request carried (undefined for a first request). */
export function cursorsSent(requests: SeenRequest[], param = 'cursor'): (string | undefined)[] {
  return requests.map((r) => {
    if (r.method === 'POST' && r.body) {
      const v = (JSON.parse(r.body) as Record<string, unknown>)[param];
      return typeof v === 'string' ? v : undefined;
    }
    return r.query.get(param) ?? undefined;
  });
}
