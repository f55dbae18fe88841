import { EventLog, FixedWindowLimit, fakeTokens, startFake, tokenKind, type FakeOptions, type FakeReply, type RunningFake } from '../fake-api.js';
import { OktaOAuthFake, type FakeOAuthClients } from './oauth-fake.js';

/** An Okta System Log event, with the fields Hel and SIEMs read. */
interface OktaEvent {
  uuid: string;
  published: string;
  eventType: string;
  version: string;
  severity: string;
  displayMessage: string;
  actor: { id: string; type: string; alternateId: string; displayName: string };
  client: { ipAddress: string; userAgent: { rawUserAgent: string } };
  outcome: { result: string };
  target: { id: string; type: string; alternateId: string }[];
  transaction: { type: string; id: string };
}

export interface OktaFakeOptions extends FakeOptions {
  /** Backlog spread over the last 48 hours. */
  events?: number;
  /** Requests per minute on /api/v1/logs (Okta's default for the endpoint is 60 on many orgs). */
  rateLimit?: number;
}

export interface OktaFake extends RunningFake {
  append(n: number): void;
  /** API service integrations for OAuth 2.0 (private_key_jwt, with and without DPoP). */
  oauth: FakeOAuthClients;
}

const TYPES = [
  ['user.session.start', 'User login to Okta'],
  ['user.authentication.sso', 'User single sign on to app'],
  ['policy.evaluate_sign_on', 'Evaluation of sign-on policy'],
  ['user.account.update_password', 'User update password for Okta'],
  ['group.user_membership.add', 'Add user to group membership'],
] as const;

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
const SEVEN_DAYS = 7 * 86_400_000;

function error(status: number, code: string, summary: string): FakeReply {
  return { status, body: { errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${code}`, errorCauses: [] } };
}

/**
 * A fake Okta System Log (`GET /api/v1/logs`) as Okta documents it: `SSWS` tokens; `since`, `until`,
 * `filter`, `limit` (≤ 1000), `sortOrder`; a Link header whose `rel="next"` (with `after`) is always
 * present while polling, even on an empty page; X-Rate-Limit-Limit/Remaining/Reset (Unix seconds)
 * on every answer; 429 E0000047 without Retry-After; 401 E0000011; 403 E0000006.
 */
export async function startOktaFake(options: OktaFakeOptions = {}): Promise<OktaFake> {
  const now = options.now ?? Date.now;
  const tokens = fakeTokens('00', options.seed);
  const log = new EventLog<OktaEvent>((n, at) => {
    const [eventType, displayMessage] = TYPES[n % TYPES.length]!;
    const user = `user${n % 7}@example.com`;
    return {
      uuid: `okta-evt-${String(n).padStart(8, '0')}`,
      published: new Date(at).toISOString(),
      eventType,
      version: '0',
      severity: 'INFO',
      displayMessage,
      actor: { id: `00u${n % 7}`, type: 'User', alternateId: user, displayName: `User ${n % 7}` },
      client: { ipAddress: `198.51.100.${n % 250}`, userAgent: { rawUserAgent: 'Mozilla/5.0' } },
      outcome: { result: n % 11 === 0 ? 'FAILURE' : 'SUCCESS' },
      target: [{ id: `0oa${n % 3}`, type: 'AppInstance', alternateId: `app${n % 3}` }],
      transaction: { type: 'WEB', id: `tx${n}` },
    };
  });
  log.backfill(options.events ?? 200, now(), 48 * 3_600_000);
  const limit = new FixedWindowLimit(options.rateLimit ?? 60, options.rateLimitWindowMs ?? 60_000, now);

  const oauth = new OktaOAuthFake(() => fake.url, now);
  const fake = await startFake(options, tokens, async (req) => {
    if (req.method === 'POST' && req.url.pathname === '/oauth2/v1/token') return oauth.token(req);
    if (req.url.pathname !== '/api/v1/logs') return error(404, 'E0000022', 'The endpoint does not support the provided HTTP method');
    const withOAuth = /^(Bearer|DPoP) /.test(req.headers.authorization ?? '');
    const refused = withOAuth ? await oauth.authorize(req) : undefined;
    if (refused !== undefined) return refused;
    const kind = withOAuth ? 'good' : tokenKind(tokens, req.credential('SSWS'));
    if (kind === undefined || kind === 'revoked') return error(401, 'E0000011', 'Invalid token provided');
    const quota = limit.take();
    const headers = { 'x-rate-limit-limit': String(limit.limit), 'x-rate-limit-remaining': String(quota.remaining), 'x-rate-limit-reset': String(Math.ceil(quota.resetAt / 1000)) };
    if (!quota.allowed) return { ...error(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'), headers };
    if (kind === 'under-scoped') return { ...error(403, 'E0000006', 'You do not have permission to perform the requested action'), headers };

    const q = req.url.searchParams;
    const size = Math.min(Number(q.get('limit') ?? DEFAULT_LIMIT) || DEFAULT_LIMIT, MAX_LIMIT);
    const since = Date.parse(q.get('since') ?? new Date(now() - SEVEN_DAYS).toISOString());
    const until = q.get('until') === null ? Infinity : Date.parse(q.get('until')!);
    if (Number.isNaN(since) || Number.isNaN(until)) return { ...error(400, 'E0000001', 'Api validation failed: since'), headers };
    const filter = /^eventType eq "([^"]+)"$/.exec(q.get('filter') ?? '')?.[1];
    const after = q.get('after');
    const all = log.events.filter((e) => {
      const at = Date.parse(e.published);
      return at >= since && at < until && (filter === undefined || e.eventType === filter);
    });
    const start = after === null ? 0 : all.findIndex((e) => e.uuid > Buffer.from(after, 'base64url').toString('utf8'));
    const page = start < 0 ? [] : all.slice(start, start + size);
    const last = page.at(-1)?.uuid ?? (after === null ? '' : Buffer.from(after, 'base64url').toString('utf8'));
    const next = new URL(req.url.pathname, fake.url);
    for (const [k, v] of q) if (k !== 'after') next.searchParams.set(k, v);
    next.searchParams.set('after', Buffer.from(last).toString('base64url'));
    const self = new URL(req.url.pathname + req.url.search, fake.url);
    // A bounded query (until) ends; a polling query always links to its next page.
    const links = [`<${self.toString()}>; rel="self"`, ...(until === Infinity || page.length === size ? [`<${next.toString()}>; rel="next"`] : [])];
    return { status: 200, headers: { ...headers, link: links.join(', ') }, body: page };
  });
  return { ...fake, oauth: oauth.clients, append: (n) => void Array.from({ length: n }, () => log.add(now())) };
}
