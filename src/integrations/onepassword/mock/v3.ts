import { createHmac, timingSafeEqual } from 'node:crypto';
import type { LoggedEvent } from './event-log.js';
import type { AuditEvent } from './shapes.js';
import { formatRfc3339Nano, msToNanos, parseRfc3339, type Nanos } from './time.js';

/**
 * The v3 beta audit events endpoint (`GET /api/v3/auditevents`, reference §14, spec 3.0.0):
 * query-string paging with `max_page_size` and `page_token`, and `start_time`/`end_time` as
 * exclusive bounds on the insertion time. Events come from the same log as v2 audit events,
 * reshaped into actor / targets / context. The v3 action names are the mock's own mapping onto
 * the `target.attribute.verb` pattern; 1Password's catalogue is open and not fully published.
 */

export interface V3Query {
  kind: 'window' | 'token' | 'invalid';
  reason?: string;
  start?: Nanos;
  end?: Nanos | null;
  pageSize?: number;
  token?: string;
}

export interface V3Position {
  account: string;
  /** Insertion time (ns) of the last event delivered. */
  after: Nanos;
  end: Nanos | null;
  pageSize: number;
}

const DEFAULT_PAGE_SIZE = 100;

export function parseV3Query(params: URLSearchParams, now: number): V3Query {
  const token = params.get('page_token');
  const start = params.get('start_time');
  const end = params.get('end_time');
  if (token !== null) {
    if (start !== null || end !== null) return { kind: 'invalid', reason: 'start_time/end_time are invalid with page_token' };
    return { kind: 'token', token };
  }
  const sizeText = params.get('max_page_size');
  const size = sizeText === null ? 0 : Number(sizeText);
  if (!/^\d+$/.test(sizeText ?? '0') || size > 1000) return { kind: 'invalid', reason: 'max_page_size must be 0-1000' };
  const startNs = start === null ? msToNanos(now - 3_600_000) : parseRfc3339(start);
  const endNs = end === null ? null : parseRfc3339(end);
  if (startNs === undefined || endNs === undefined) return { kind: 'invalid', reason: 'start_time/end_time must be RFC 3339' };
  return { kind: 'window', start: startNs, end: endNs, pageSize: size === 0 ? DEFAULT_PAGE_SIZE : size };
}

/** Each event's insertion time: its ingestion in ns plus its seq, so no two events share one. */
export function insertTimeOf(event: LoggedEvent): Nanos {
  return msToNanos(event.ingestedAt) + BigInt(event.seq % 1_000_000);
}

/** base64url(JSON) + "." + HMAC, like the v2 cursors: a tampered token is a 400. */
export class PageTokenCodec {
  constructor(private readonly key: Buffer) {}

  encode(p: V3Position): string {
    const payload = Buffer.from(JSON.stringify({ v: 3, acct: p.account, after: p.after.toString(), end: p.end === null ? null : p.end.toString(), size: p.pageSize })).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  decode(token: string): V3Position | undefined {
    const [payload, mac, extra] = token.split('.');
    if (payload === undefined || mac === undefined || extra !== undefined) return undefined;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { v: number; acct: string; after: string; end: string | null; size: number };
      if (json.v !== 3) return undefined;
      return { account: json.acct, after: BigInt(json.after), end: json.end === null ? null : BigInt(json.end), pageSize: json.size };
    } catch {
      return undefined;
    }
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`v3:${payload}`).digest().subarray(0, 16);
  }
}

/** Up to `pageSize` events inserted after `after` (and before `end`), visible at `now`; whether more follow. */
export function readV3(events: readonly LoggedEvent[], position: V3Position, now: number, retentionFloorMs: number): { page: LoggedEvent[]; more: boolean } {
  const page: LoggedEvent[] = [];
  for (const event of events) {
    if (event.ingestedAt > now || event.ingestedAt < retentionFloorMs) continue;
    const inserted = insertTimeOf(event);
    if (inserted <= position.after || (position.end !== null && inserted >= position.end)) continue;
    if (page.length === position.pageSize) return { page, more: true };
    page.push(event);
  }
  return { page, more: false };
}

const TARGETS: Record<string, string> = {
  uva: 'vault.user-access',
  gva: 'vault.group-access',
  gm: 'group.membership',
  user: 'user',
  invite: 'invitation',
  vault: 'vault',
  group: 'group',
  items: 'vault.items',
  item: 'item',
  sa: 'service-account',
  satoken: 'service-account.token',
  account: 'account',
  sso: 'sso',
};

/** The v2 audit event reshaped as a v3 one: actor, targets and context. */
export function toV3Event(event: LoggedEvent, accountUuid: string): Record<string, unknown> {
  const item = event.item as AuditEvent;
  const actor = item.actor_details;
  const target: Record<string, unknown> = { type: item.object_type, uuid: item.object_uuid };
  if (item.object_details) Object.assign(target, { name: item.object_details.name, email: item.object_details.email });
  const targets: Record<string, unknown>[] = [target];
  if (item.aux_uuid !== undefined) targets.push({ type: 'user', uuid: item.aux_uuid, ...(item.aux_details ? { name: item.aux_details.name, email: item.aux_details.email } : {}) });
  return {
    uuid: item.uuid,
    timestamp: item.timestamp,
    insert_time: formatRfc3339Nano(insertTimeOf(event)),
    action: `${TARGETS[item.object_type] ?? item.object_type}.${item.action}`,
    actor: { type: item.actor_type ?? 'user', uuid: item.actor_uuid, ...(actor ? { name: actor.name, email: actor.email } : {}) },
    targets,
    context: {
      account: { uuid: accountUuid },
      session: item.session,
      ...(item.location ? { location: item.location } : {}),
    },
  };
}
