import { EventLog, FixedWindowLimit, fakeTokens, startFake, tokenKind, type FakeOptions, type FakeReply, type RunningFake } from '../fake-api.js';

interface SlackAuditEntry {
  id: string;
  date_create: number;
  action: string;
  actor: { type: 'user'; user: { id: string; name: string; email: string; team: string } };
  entity: { type: string; channel?: { id: string; name: string; privacy: string }; user?: { id: string; name: string } };
  context: { location: { type: 'enterprise'; id: string; name: string; domain: string }; ua: string; ip_address: string; session_id: number };
}

export interface SlackFakeOptions extends FakeOptions {
  events?: number;
  /** Calls per minute (Tier 3: about 50, org-wide). */
  rateLimit?: number;
}

export interface SlackFake extends RunningFake {
  append(n: number): void;
}

const ACTIONS = [
  ['user_login', 'user'],
  ['file_downloaded', 'file'],
  ['public_channel_created', 'channel'],
  ['user_logout', 'user'],
  ['app_installed', 'app'],
] as const;
const MAX_LIMIT = 9999;

const fail = (status: number, error: string, extra: Record<string, string> = {}): FakeReply => ({ status, body: { ok: false, error, ...extra } });

/**
 * A fake Slack Audit Logs API (`GET /audit/v1/logs`) as Slack documents it: a user token (`xoxp-`)
 * with auditlogs:read; `limit` (≤ 9,999), `oldest`/`latest` (Unix seconds, inclusive), `action`,
 * `actor`, `entity`; newest entries first in `entries`; `response_metadata.next_cursor`, empty on the
 * last page; Tier 3 limits answered with 429 and Retry-After; `{ok:false,error}` bodies for
 * invalid_authentication, token_revoked, missing_scope and invalid_cursor.
 */
export async function startSlackFake(options: SlackFakeOptions = {}): Promise<SlackFake> {
  const now = options.now ?? Date.now;
  const tokens = fakeTokens('xoxp-', options.seed);
  const log = new EventLog<SlackAuditEntry>((n, at) => {
    const [action, type] = ACTIONS[n % ACTIONS.length]!;
    const user = { id: `W${1000 + (n % 6)}`, name: `member${n % 6}`, email: `member${n % 6}@example.com`, team: 'E0ENTERPRISE' };
    return {
      id: `0000${String(n).padStart(4, '0')}-slack-audit`,
      date_create: Math.floor(at / 1000),
      action,
      actor: { type: 'user', user },
      entity: type === 'channel' ? { type, channel: { id: `C${n}`, name: `chan-${n}`, privacy: 'public' } } : { type: 'user', user: { id: user.id, name: user.name } },
      context: { location: { type: 'enterprise', id: 'E0ENTERPRISE', name: 'Acme', domain: 'acme' }, ua: 'Mozilla/5.0', ip_address: `203.0.113.${n % 250}`, session_id: 9000 + n },
    };
  });
  log.backfill(options.events ?? 200, now(), 48 * 3_600_000);
  const limit = new FixedWindowLimit(options.rateLimit ?? 50, options.rateLimitWindowMs ?? 60_000, now);

  return {
    ...(await startFake(options, tokens, (req) => {
      if (req.url.pathname !== '/audit/v1/logs') return fail(404, 'unknown_method');
      const token = req.credential('Bearer');
      if (token === undefined) return fail(401, 'not_authed');
      const kind = tokenKind(tokens, token);
      if (kind === undefined) return fail(401, 'invalid_authentication');
      if (kind === 'revoked') return fail(401, 'token_revoked');
      const quota = limit.take();
      if (!quota.allowed) return { ...fail(429, 'ratelimited'), headers: { 'retry-after': String(Math.max(1, Math.ceil((quota.resetAt - now()) / 1000))) } };
      if (kind === 'under-scoped') return fail(403, 'missing_scope', { needed: 'auditlogs:read', provided: 'admin' });

      const q = req.url.searchParams;
      const size = Math.min(Number(q.get('limit') ?? 100) || 100, MAX_LIMIT);
      let filter = { oldest: Number(q.get('oldest') ?? 0), latest: Number(q.get('latest') ?? Infinity), action: q.get('action') ?? '' };
      let offset = 0;
      const cursor = q.get('cursor');
      if (cursor !== null && cursor !== '') {
        // The cursor carries the query it continues, as Slack's opaque cursors do.
        try {
          const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o: number; f: typeof filter };
          offset = decoded.o;
          filter = { ...decoded.f, latest: decoded.f.latest ?? Infinity };
        } catch {
          return fail(400, 'invalid_cursor');
        }
      }
      const actions = filter.action === '' ? undefined : filter.action.split(',');
      const matching = log.events.filter((e) => e.date_create >= filter.oldest && e.date_create <= filter.latest && (actions === undefined || actions.includes(e.action))).reverse();
      const page = matching.slice(offset, offset + size);
      const more = offset + size < matching.length;
      const next = more ? Buffer.from(JSON.stringify({ o: offset + size, f: filter })).toString('base64url') : '';
      return { status: 200, body: { entries: page, response_metadata: { next_cursor: next } } };
    })),
    append: (n) => void Array.from({ length: n }, () => log.add(now())),
  };
}
