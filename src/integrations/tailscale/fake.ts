import { EventLog, FixedWindowLimit, fakeTokens, startFake, tokenKind, type FakeOptions, type FakeReply, type RunningFake } from '../fake-api.js';

interface TailscaleConfigEvent {
  eventGroupID: string;
  origin: string;
  actor: { id: string; type: string; loginName: string; displayName: string };
  target: { id: string; name: string; type: string; property?: string };
  type: 'CONFIG';
  action: string;
  eventTime: string;
  new?: unknown;
  old?: unknown;
}

export interface TailscaleFakeOptions extends FakeOptions {
  events?: number;
  /** Requests per minute before 429 with Retry-After. */
  rateLimit?: number;
}

export interface TailscaleFake extends RunningFake {
  append(n: number): void;
}

const ACTIONS = [
  ['CREATE', 'NODE'],
  ['UPDATE', 'ACL'],
  ['DELETE', 'API_KEY'],
  ['LOGIN', 'USER'],
  ['UPDATE', 'NODE'],
] as const;
const RETENTION_MS = 90 * 86_400_000;

const message = (status: number, text: string): FakeReply => ({ status, body: { message: text } });

/** Nanoseconds since the epoch of an RFC 3339 time, keeping digits past the millisecond. */
function nanos(text: string): bigint | undefined {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const seconds = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * A fake Tailscale configuration audit log (`GET /api/v2/tailnet/{tailnet}/logging/configuration`)
 * as Tailscale documents it: an API access token as Bearer or as the Basic user (empty password);
 * required `start` and `end` (RFC 3339, inclusive, nanosecond resolution); the whole window in one
 * `logs` array (no pagination); 90 days of retention; `{message}` errors for 400/401/403; 429 with
 * Retry-After.
 */
export async function startTailscaleFake(options: TailscaleFakeOptions = {}): Promise<TailscaleFake> {
  const now = options.now ?? Date.now;
  const tokens = fakeTokens('tskey-api-', options.seed);
  const log = new EventLog<TailscaleConfigEvent>((n, at) => {
    const [action, type] = ACTIONS[n % ACTIONS.length]!;
    return {
      eventGroupID: `grp-${String(n).padStart(8, '0')}`,
      origin: n % 2 === 0 ? 'ADMIN_CONSOLE' : 'API',
      actor: { id: `u${n % 4}`, type: 'USER', loginName: `admin${n % 4}@example.com`, displayName: `Admin ${n % 4}` },
      target: { id: `t${n}`, name: `target-${n}`, type, ...(type === 'NODE' ? { property: 'KEY_EXPIRY' } : {}) },
      type: 'CONFIG',
      action,
      eventTime: new Date(at).toISOString(),
    };
  });
  log.backfill(options.events ?? 200, now(), 48 * 3_600_000);
  const limit = new FixedWindowLimit(options.rateLimit ?? 100, options.rateLimitWindowMs ?? 60_000, now);

  return {
    ...(await startFake(options, tokens, (req) => {
      const m = /^\/api\/v2\/tailnet\/([^/]+)\/logging\/configuration$/.exec(req.url.pathname);
      if (!m) return message(404, 'not found');
      const kind = tokenKind(tokens, req.credential('Bearer') ?? req.credential('Basic'));
      if (kind === undefined || kind === 'revoked') return message(401, 'API token invalid');
      const quota = limit.take();
      if (!quota.allowed) return { ...message(429, 'rate limit exceeded'), headers: { 'retry-after': String(Math.max(1, Math.ceil((quota.resetAt - now()) / 1000))) } };
      if (kind === 'under-scoped') return message(403, 'calling actor does not have enough permissions to perform this function: requires logs:configuration:read');
      const start = nanos(req.url.searchParams.get('start') ?? '');
      const end = nanos(req.url.searchParams.get('end') ?? '');
      if (start === undefined || end === undefined) return message(400, 'start and end must be RFC 3339 times');
      if (start > end) return message(400, 'start must be before end');
      const oldest = BigInt(now() - RETENTION_MS) * 1_000_000n;
      const logs = log.events.filter((e) => {
        const at = nanos(e.eventTime)!;
        return at >= start && at <= end && at >= oldest;
      });
      return { status: 200, body: { version: '1.1', tailnet: decodeURIComponent(m[1]!), logs } };
    })),
    append: (n) => void Array.from({ length: n }, () => log.add(now())),
  };
}
