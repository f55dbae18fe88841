import { fakeApi, type Handler } from './fake-api.js';
import type { Cleanups } from './loopback.js';

export interface LoopbackApi {
  /** The events endpoint. */
  url: string;
  close(): Promise<void>;
}

async function startApi(t: Cleanups, handler: Handler): Promise<LoopbackApi> {
  const api = await fakeApi(t, handler);
  return { url: `${api.url}/events`, close: () => api.close() };
}

/** Event times a few minutes in the past, so cursor lag is small and known. */
function event(uuid: string, minutesAgo: number): Record<string, string> {
  return { uuid, timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(), action: 'signin' };
}

/**
 * A cursor-paginated events API: the first poll gets two pages (3 events, one of them repeated on
 * page 2 for the dedupe window to drop), later polls get an empty page that keeps the cursor.
 */
export function startCursorApi(t: Cleanups): Promise<LoopbackApi> {
  return startApi(t, (req) => {
    const cursor = (JSON.parse(req.body || '{}') as { cursor?: string }).cursor;
    if (cursor === undefined) return { body: { items: [event('e1', 10), event('e2', 9)], cursor: 'c1', has_more: true } };
    if (cursor === 'c1') return { body: { items: [event('e2', 9), event('e3', 5)], cursor: 'c2', has_more: false } };
    return { body: { items: [], cursor, has_more: false } };
  });
}

/** Always answers `status` with a body whose text must be escaped on the status page. */
export function startFailingApi(t: Cleanups, status: number): Promise<LoopbackApi> {
  return startApi(t, () => ({ status, body: { error: `<img src=x onerror=alert(1)> broken ${status}` } }));
}
