import { createRng, DEFAULT_ITEM_TIME_MS, makeAuditEvent } from '../src/integrations/onepassword/mock/items.js';

/** Distinct generated events; pages reuse them with patched ids, so a 1M backlog costs no generation time. */
const POOL_SIZE = 5000;
const UUID_PREFIX = Buffer.from('{"uuid":"');
const UUID_LENGTH = 26;
/** The tail of every uuid is replaced by the event's index in the backlog: unique up to 32^7. */
const INDEX_CHARS = 7;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Realistic 1Password v2 audit events from the mock's seeded factories, each serialised once.
 * Every one starts with its uuid, which is what lets a page be assembled by copying bytes.
 */
export function eventPool(size = POOL_SIZE): Buffer[] {
  const rng = createRng('hel-bench');
  const start = DEFAULT_ITEM_TIME_MS - 30 * 86_400_000;
  const pool: Buffer[] = [];
  for (let i = 0; i < size; i++) {
    const json = Buffer.from(JSON.stringify(makeAuditEvent(rng, 'v2', undefined, { at: start + i * 1000 })));
    if (!json.subarray(0, UUID_PREFIX.length).equals(UUID_PREFIX)) throw new Error('bench: generated event does not start with its uuid');
    pool.push(json);
  }
  return pool;
}

export interface PagePosition {
  total: number;
  limit: number;
  offset: number;
}

/** Opaque to clients, like the real API's cursors; it carries the whole position. */
function encodeCursor(p: PagePosition): string {
  return Buffer.from(JSON.stringify({ v: 1, t: p.total, l: p.limit, o: p.offset, pad: 'hel-bench-cursor' })).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition | undefined {
  try {
    const raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; l?: unknown; o?: unknown };
    if (typeof raw.t !== 'number' || typeof raw.l !== 'number' || typeof raw.o !== 'number') return undefined;
    return { total: raw.t, limit: raw.l, offset: raw.o };
  } catch {
    return undefined;
  }
}

function writeIndex(target: Buffer, at: number, index: number): void {
  let n = index;
  for (let i = INDEX_CHARS - 1; i >= 0; i--) {
    target[at + i] = BASE32.charCodeAt(n & 31);
    n = Math.floor(n / 32);
  }
}

/** The response body for one page: `{"items":[...],"cursor":"...","has_more":bool}`. */
export function pageBody(pool: Buffer[], p: PagePosition): { body: Buffer; items: number } {
  const end = Math.min(p.total, p.offset + p.limit);
  const count = Math.max(0, end - p.offset);
  const hasMore = end < p.total;
  const head = Buffer.from('{"items":[');
  const tail = Buffer.from(`],"cursor":"${encodeCursor({ ...p, offset: Math.max(end, p.offset) })}","has_more":${hasMore}}`);
  let size = head.length + tail.length + Math.max(0, count - 1);
  for (let i = 0; i < count; i++) size += pool[(p.offset + i) % pool.length]!.length;
  const body = Buffer.allocUnsafe(size);
  let at = head.copy(body, 0);
  for (let i = 0; i < count; i++) {
    if (i > 0) body[at++] = 0x2c;
    const event = pool[(p.offset + i) % pool.length]!;
    event.copy(body, at);
    writeIndex(body, at + UUID_PREFIX.length + UUID_LENGTH - INDEX_CHARS, p.offset + i);
    at += event.length;
  }
  tail.copy(body, at);
  return { body, items: count };
}
