import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { EventLog, FixedWindowLimit, startFake, type FakeOptions, type FakeReply, type FakeRequest, type RunningFake } from '../fake-api.js';
import { APPLICATIONS, REPORTS_SCOPE, type Application } from './applications.js';

/** An activity of the Reports API (`admin#reports#activity`), with the fields SIEMs read. */
interface GoogleActivity {
  kind: 'admin#reports#activity';
  id: { time: string; uniqueQualifier: string; applicationName: string; customerId: string };
  etag: string;
  actor: { email: string; profileId: string; callerType: 'USER' };
  ipAddress: string;
  events: { type: string; name: string; parameters: { name: string; value: string }[] }[];
}

export interface GoogleFakeOptions extends FakeOptions {
  /** Backlog per application, spread over the last 48 hours. */
  events?: number;
  /** Queries per minute per delegated user (Admin SDK default: 2,400). */
  rateLimit?: number;
}

/** Service account JSON keys as the Cloud console downloads them, pointing at this fake's token endpoint. */
interface FakeCredentials {
  /** Domain-wide delegation grants the Reports audit scope. */
  good: string;
  /** Its key was deleted in the Cloud console: every assertion fails the signature check. */
  revoked: string;
  /** Delegated, but only for a Directory scope: asking for the Reports scope is unauthorized_client. */
  underScoped: string;
}

export interface GoogleFake extends RunningFake {
  credentials: FakeCredentials;
  /** The Workspace super admin to act for (`subject`). */
  admin: string;
  /** A user of the domain who is not an admin. */
  user: string;
  /** New activities of `application`, now. */
  append(application: Application, n: number): void;
  /** An activity that happened `ageMs` ago but is listed only now (the Reports API's lag). */
  appendLate(application: Application, ageMs: number): GoogleActivity;
}

const DIRECTORY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const MAX_RESULTS = 1000;
const TOKEN_LIFETIME_SECS = 3600;
const CUSTOMER_ID = 'C03fake00';
const ACTIVITIES = /^\/admin\/reports\/v1\/activity\/users\/([^/]+)\/applications\/([^/]+)$/;

const NAMES: Record<string, [string, string][]> = {
  login: [
    ['login', 'login_success'],
    ['login', 'login_failure'],
    ['login', 'logout'],
  ],
  admin: [
    ['USER_SETTINGS', 'CHANGE_PASSWORD'],
    ['USER_SETTINGS', 'CREATE_USER'],
    ['DELEGATED_ADMIN_SETTINGS', 'ASSIGN_ROLE'],
  ],
  drive: [
    ['access', 'view'],
    ['access', 'download'],
    ['acl_change', 'change_user_access'],
  ],
  token: [
    ['auth', 'authorize'],
    ['auth', 'revoke'],
  ],
  user_accounts: [
    ['2sv_change', '2sv_enroll'],
    ['password_change', 'password_edit'],
  ],
};

/** Google's error body: `{error: {code, message, errors: [{message, domain, reason}], status}}`. */
function apiError(code: number, status: string, reason: string, message: string, extra: Record<string, unknown> = {}): FakeReply {
  return { status: code, body: { error: { code, message, errors: [{ message, domain: 'global', reason }], status, ...extra } } };
}

/** The token endpoint's error body: `{error, error_description}`. */
function tokenError(status: number, error: string, description: string): FakeReply {
  return { status, body: { error, error_description: description } };
}

interface ServiceAccount {
  email: string;
  clientId: string;
  /** Public keys by key id; a deleted key is gone from here. */
  keys: Map<string, KeyObject>;
  /** Scopes domain-wide delegation grants this client ID (Admin console > Security > API controls). */
  delegated: string[];
}

interface IssuedToken {
  scopes: string[];
  subject?: string;
  expiresAt: number;
}

function serviceAccount(name: string, delegated: string[]): { account: ServiceAccount; privateKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomBytes(20).toString('hex');
  const email = `${name}@hel-fake.iam.gserviceaccount.com`;
  const account = { email, clientId: String(100_000_000_000_000_000_000n + BigInt(`0x${randomBytes(6).toString('hex')}`)), keys: new Map([[keyId, publicKey]]), delegated };
  return { account, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyId };
}

/**
 * A fake Google Workspace Admin SDK Reports API (activities.list) and Google's OAuth2 token
 * endpoint, as Google documents them: a service account's RS256 JWT assertion (iss, scope, aud,
 * iat/exp at most an hour apart, sub for domain-wide delegation) verified against its public key;
 * invalid_grant for a deleted key, a bad subject or a stale assertion, unauthorized_client when
 * delegation does not grant the scope; activities newest first, `maxResults` (≤ 1000), `startTime`
 * and `endTime`, an opaque `nextPageToken`, no `items` on an empty page; 401 for a bad token,
 * 403 for missing scopes or a non-admin subject, 429 rateLimitExceeded once the per-user
 * queries-per-minute quota is spent (without Retry-After: Google asks for exponential backoff).
 */
export async function startGoogleFake(options: GoogleFakeOptions = {}): Promise<GoogleFake> {
  const now = options.now ?? Date.now;
  const admin = 'admin@example.com';
  const user = 'member@example.com';
  const good = serviceAccount('hel-audit', [REPORTS_SCOPE, DIRECTORY_SCOPE]);
  const revoked = serviceAccount('hel-old-key', [REPORTS_SCOPE]);
  const underScoped = serviceAccount('hel-directory', [DIRECTORY_SCOPE]);
  const accounts = new Map([good, underScoped].map((a) => [a.account.email, a.account]));
  // The revoked account exists, but the key its JSON file holds was deleted.
  accounts.set(revoked.account.email, { ...revoked.account, keys: new Map() });
  const issued = new Map<string, IssuedToken>();
  const limits = new Map<string, FixedWindowLimit>();
  const limitOf = (who: string) => limits.get(who) ?? limits.set(who, new FixedWindowLimit(options.rateLimit ?? 2400, options.rateLimitWindowMs ?? 60_000, now)).get(who)!;

  let qualifier = 0n;
  const newLog = (application: string) => {
    const names = NAMES[application] ?? [['activity', 'activity']];
    return new EventLog<GoogleActivity>((n, at) => {
      const [type, name] = names[n % names.length]!;
      qualifier += 7_919n;
      return {
        kind: 'admin#reports#activity',
        id: { time: new Date(at).toISOString(), uniqueQualifier: String(-4_000_000_000_000_000_000n + qualifier), applicationName: application, customerId: CUSTOMER_ID },
        etag: `"${application}-${n}"`,
        actor: { email: `user${n % 5}@example.com`, profileId: String(110_000_000_000_000_000_000n + BigInt(n % 5)), callerType: 'USER' },
        ipAddress: `192.0.2.${n % 250}`,
        events: [{ type, name, parameters: [{ name: 'login_type', value: 'google_password' }] }],
      };
    });
  };
  const logs = new Map<string, EventLog<GoogleActivity>>();
  const logOf = (application: string) => logs.get(application) ?? logs.set(application, newLog(application)).get(application)!;
  for (const application of Object.keys(NAMES)) logOf(application).backfill(options.events ?? 200, now(), 48 * 3_600_000);

  let tokenUrl = '';
  async function token(req: FakeRequest): Promise<FakeReply> {
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== JWT_BEARER) return tokenError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (form.get('grant_type') ?? ''));
    const assertion = form.get('assertion') ?? '';
    let claims: ReturnType<typeof decodeJwt>;
    let kid: string | undefined;
    try {
      claims = decodeJwt(assertion);
      kid = decodeProtectedHeader(assertion).kid;
    } catch {
      return tokenError(400, 'invalid_request', 'Invalid JWT: could not be decoded');
    }
    const account = typeof claims.iss === 'string' ? accounts.get(claims.iss) : undefined;
    if (account === undefined) return tokenError(400, 'invalid_grant', 'Invalid grant: account not found');
    const key = kid === undefined ? undefined : account.keys.get(kid);
    if (key === undefined) return tokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
    try {
      await jwtVerify(assertion, key, { algorithms: ['RS256'], issuer: account.email, audience: tokenUrl, currentDate: new Date(now()), clockTolerance: 60 });
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired || (err instanceof joseErrors.JWTClaimValidationFailed && err.claim !== 'aud' && err.claim !== 'iss')) {
        return tokenError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed) return tokenError(400, 'invalid_grant', `Invalid JWT: ${err.claim === 'aud' ? 'aud' : 'iss'} claim is wrong`);
      return tokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp - claims.iat > TOKEN_LIFETIME_SECS) {
      return tokenError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [];
    if (scopes.length === 0) return tokenError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
    if (subject !== undefined) {
      if (subject !== admin && subject !== user) return tokenError(400, 'invalid_grant', 'Invalid email or User ID');
      if (!scopes.every((s) => account.delegated.includes(s))) {
        return tokenError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
      }
    }
    const value = `ya29.${randomBytes(24).toString('base64url')}`;
    issued.set(value, { scopes, ...(subject === undefined ? {} : { subject }), expiresAt: now() + TOKEN_LIFETIME_SECS * 1000 });
    return { status: 200, body: { access_token: value, expires_in: TOKEN_LIFETIME_SECS - 1, token_type: 'Bearer' } };
  }

  function activities(req: FakeRequest, userKey: string, application: string): FakeReply {
    const bearer = req.credential('Bearer');
    const grant = bearer === undefined ? undefined : issued.get(bearer);
    if (grant === undefined || grant.expiresAt <= now()) {
      return {
        ...apiError(401, 'UNAUTHENTICATED', 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'),
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      };
    }
    if (!grant.scopes.includes(REPORTS_SCOPE)) {
      return apiError(403, 'PERMISSION_DENIED', 'insufficientPermissions', 'Request had insufficient authentication scopes.', {
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com' }],
      });
    }
    const quota = limitOf(grant.subject ?? '').take();
    if (!quota.allowed) {
      return apiError(429, 'RESOURCE_EXHAUSTED', 'rateLimitExceeded', "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'.");
    }
    if (grant.subject !== admin) return apiError(403, 'PERMISSION_DENIED', 'forbidden', 'Not Authorized to access this resource/api');
    const log = logs.get(application);
    if (!APPLICATIONS.includes(application as Application)) {
      return apiError(400, 'INVALID_ARGUMENT', 'invalid', `Invalid value '${application}'. Values must match the following regular expression: '(${APPLICATIONS.join(')|(')})'`);
    }
    if (userKey !== 'all') return apiError(400, 'INVALID_ARGUMENT', 'invalid', 'Bad Request');

    const q = req.url.searchParams;
    const maxResults = q.get('maxResults') === null ? MAX_RESULTS : Number(q.get('maxResults'));
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) return apiError(400, 'INVALID_ARGUMENT', 'invalid', `Invalid value '${q.get('maxResults')}' for maxResults`);
    let filter = { start: q.get('startTime'), end: q.get('endTime') };
    let offset = 0;
    const pageToken = q.get('pageToken');
    if (pageToken !== null && pageToken !== '') {
      // The token carries the query it continues, as Google's opaque page tokens do.
      try {
        const decoded = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8')) as { o: number; f: typeof filter };
        ({ o: offset, f: filter } = decoded);
      } catch {
        return apiError(400, 'INVALID_ARGUMENT', 'invalid', 'Invalid pageToken');
      }
    }
    const start = filter.start === null ? -Infinity : Date.parse(filter.start);
    const end = filter.end === null ? Infinity : Date.parse(filter.end);
    if (Number.isNaN(start) || Number.isNaN(end)) return apiError(400, 'INVALID_ARGUMENT', 'invalid', 'Start time and end time must be in RFC 3339 format');
    const matching = (log?.events ?? []).filter((e) => Date.parse(e.id.time) >= start && Date.parse(e.id.time) <= end).sort((a, b) => Date.parse(b.id.time) - Date.parse(a.id.time));
    const page = matching.slice(offset, offset + maxResults);
    const body: Record<string, unknown> = { kind: 'admin#reports#activities', etag: `"${application}-${offset}"` };
    if (page.length > 0) body.items = page;
    if (offset + maxResults < matching.length) body.nextPageToken = Buffer.from(JSON.stringify({ o: offset + maxResults, f: filter })).toString('base64url');
    return { status: 200, body };
  }

  const fake = await startFake(options, { good: '', revoked: '', underScoped: '' }, (req) => {
    if (req.method === 'POST' && req.url.pathname === '/token') return token(req);
    const match = ACTIVITIES.exec(req.url.pathname);
    if (req.method === 'GET' && match !== null) return activities(req, decodeURIComponent(match[1]!), decodeURIComponent(match[2]!));
    return apiError(404, 'NOT_FOUND', 'notFound', 'Not Found');
  });
  tokenUrl = `${fake.url}/token`;
  const keyFile = (sa: ReturnType<typeof serviceAccount>) =>
    JSON.stringify({
      type: 'service_account',
      project_id: 'hel-fake',
      private_key_id: sa.keyId,
      private_key: sa.privateKeyPem,
      client_email: sa.account.email,
      client_id: sa.account.clientId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: tokenUrl,
    });
  return {
    ...fake,
    credentials: { good: keyFile(good), revoked: keyFile(revoked), underScoped: keyFile(underScoped) },
    admin,
    user,
    append: (application, n) => void Array.from({ length: n }, () => logOf(application).add(now())),
    appendLate: (application, ageMs) => logOf(application).add(now() - ageMs),
  };
}
