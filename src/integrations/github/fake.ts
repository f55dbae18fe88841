import { EventLog, FixedWindowLimit, fakeTokens, startFake, tokenKind, type FakeOptions, type FakeReply, type RunningFake } from '../fake-api.js';

interface GitHubAuditEvent {
  '@timestamp': number;
  _document_id: string;
  action: string;
  actor: string;
  actor_id: number;
  org: string;
  org_id: number;
  created_at: number;
  operation_type: string;
  user_agent: string;
}

export interface GitHubFakeOptions extends FakeOptions {
  events?: number;
  /** Audit-log queries per hour (GitHub: 1,750 per user and IP). */
  rateLimit?: number;
}

export interface GitHubFake extends RunningFake {
  append(n: number): void;
}

const ACTIONS = [
  ['repo.create', 'create'],
  ['team.add_member', 'modify'],
  ['org.update_member', 'modify'],
  ['git.clone', 'access'],
  ['repo.destroy', 'remove'],
] as const;
const DOCS = 'https://docs.github.com/rest/orgs/orgs#get-the-audit-log-for-an-organization';

function error(status: number, message: string, headers: Record<string, string> = {}): FakeReply {
  return { status, headers, body: { message, documentation_url: DOCS, status: String(status) } };
}

/**
 * A fake GitHub audit log (`GET /orgs/{org}/audit-log`, `/enterprises/{enterprise}/audit-log`) as
 * GitHub documents it: Bearer/token auth, `phrase` (created:>=DATE, action:NAME), `include`,
 * `order` (desc by default), `per_page` ≤ 100, `after`/`before` cursors in a Link header,
 * x-ratelimit-limit/remaining/used/reset (Unix seconds)/resource, a primary limit answered with 403
 * and remaining 0, 401 "Bad credentials", 403 for a token without read:audit_log, 404 otherwise.
 */
export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  const now = options.now ?? Date.now;
  const tokens = fakeTokens('ghp_', options.seed);
  const log = new EventLog<GitHubAuditEvent>((n, at) => {
    const [action, operation] = ACTIONS[n % ACTIONS.length]!;
    return {
      '@timestamp': at,
      _document_id: `doc-${String(n).padStart(8, '0')}`,
      action,
      actor: `octo${n % 5}`,
      actor_id: 1000 + (n % 5),
      org: 'acme',
      org_id: 42,
      created_at: at,
      operation_type: operation,
      user_agent: 'git/2.44',
    };
  });
  log.backfill(options.events ?? 200, now(), 48 * 3_600_000);
  const limit = new FixedWindowLimit(options.rateLimit ?? 1750, options.rateLimitWindowMs ?? 3_600_000, now);

  const fake = await startFake(options, tokens, (req) => {
    if (!/^\/(orgs|enterprises)\/[^/]+\/audit-log$/.test(req.url.pathname)) return error(404, 'Not Found');
    const kind = tokenKind(tokens, req.credential('Bearer') ?? req.credential('token'));
    if (kind === undefined || kind === 'revoked') return error(401, 'Bad credentials');
    if (req.headers['user-agent'] === undefined) return error(403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header');
    const quota = limit.take();
    const headers = {
      'x-ratelimit-limit': String(limit.limit),
      'x-ratelimit-remaining': String(Math.max(0, quota.remaining)),
      'x-ratelimit-used': String(limit.limit - Math.max(0, quota.remaining)),
      'x-ratelimit-reset': String(Math.ceil(quota.resetAt / 1000)),
      'x-ratelimit-resource': 'audit_log',
      'x-oauth-scopes': kind === 'under-scoped' ? 'repo' : 'read:audit_log, repo',
      'x-accepted-oauth-scopes': 'read:audit_log',
    };
    if (!quota.allowed) return error(403, 'API rate limit exceeded for user ID 1000. If you reach out to GitHub Support for help, please include the request ID.', headers);
    if (kind === 'under-scoped') return error(403, 'Resource not accessible by personal access token', headers);

    const q = req.url.searchParams;
    const perPage = Math.min(Number(q.get('per_page') ?? 30) || 30, 100);
    const asc = q.get('order') === 'asc';
    const phrase = q.get('phrase') ?? '';
    const from = /created:>=?(\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?)/.exec(phrase)?.[1];
    const action = /action:([\w.]+)/.exec(phrase)?.[1];
    const matching = log.events.filter((e) => (from === undefined || e.created_at >= Date.parse(from)) && (action === undefined || e.action === action));
    const ordered = asc ? matching : [...matching].reverse();
    const after = q.get('after');
    const afterId = after === null ? undefined : Buffer.from(after, 'base64url').toString('utf8');
    const start = afterId === undefined ? 0 : ordered.findIndex((e) => (asc ? e._document_id > afterId : e._document_id < afterId));
    const page = start < 0 ? [] : ordered.slice(start, start + perPage);
    const more = start >= 0 && start + perPage < ordered.length;
    const link = (cursor: string, rel: string): string => {
      const next = new URL(req.url.pathname, fake.url);
      for (const [k, v] of q) if (k !== 'after' && k !== 'before') next.searchParams.set(k, v);
      next.searchParams.set('after', cursor);
      return `<${next.toString()}>; rel="${rel}"`;
    };
    const last = page.at(-1);
    return { status: 200, headers: { ...headers, ...(more && last ? { link: link(Buffer.from(last._document_id).toString('base64url'), 'next') } : {}) }, body: page };
  });
  return { ...fake, append: (n) => void Array.from({ length: n }, () => log.add(now())) };
}
