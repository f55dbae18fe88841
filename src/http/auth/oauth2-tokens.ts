import type { Clock } from '../../clock.js';
import type { AuthConfig } from '../../config/schema.js';
import { HelError } from '../../errors.js';
import { serverMessage } from '../../resilience/troubleshoot.js';
import { redactUrl } from '../redact-url.js';
import type { HttpTransport, RequestContext } from '../transport.js';
import { readSecret, type SecretContext } from './read-secret.js';
import { secretRefsOf } from './secret-refs.js';
import { scrubErrorBody } from './with-header.js';

export type OAuth2Auth = Extract<AuthConfig, { type: 'oauth2' }>;

/** Tokens are renewed this long before they expire (or at half their lifetime, if shorter). */
const EXPIRY_MARGIN_MS = 60_000;

interface CachedToken {
  value: string;
  /** Renew at this clock time; undefined = until the API answers 401. */
  renewAt?: number;
}

/**
 * Access tokens from the token endpoint: client_credentials, or the refresh_token grant when a
 * refresh token is configured. One token is cached until shortly before it expires, and concurrent
 * requests share one token request.
 */
export class OAuth2Tokens {
  private cached: CachedToken | undefined;
  private pending: Promise<string> | undefined;
  /** A refresh token the server rotated; it replaces the configured one for this process. */
  private rotatedRefresh: string | undefined;
  /** Every credential this cache has seen, so error bodies can be scrubbed of them. */
  readonly seen = new Set<string>();

  constructor(
    private readonly auth: OAuth2Auth,
    private readonly secrets: SecretContext,
    private readonly clock: Clock,
    private readonly transport: HttpTransport,
  ) {}

  async get(context: RequestContext): Promise<string> {
    const cached = this.cached;
    if (cached !== undefined && (cached.renewAt === undefined || this.clock.now() < cached.renewAt)) return cached.value;
    this.pending ??= this.request(context).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `token` after the API rejected it (a newer one may already be cached). */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private grantForm(): URLSearchParams {
    const refs = secretRefsOf(this.auth);
    const read = (prefix: string): string | undefined => {
      const ref = refs.find((r) => r.prefix === prefix);
      if (ref === undefined) return undefined;
      const value = readSecret(ref, this.secrets);
      this.seen.add(value);
      return value;
    };
    const form = new URLSearchParams();
    const refresh = this.rotatedRefresh ?? read('refresh_token');
    if (refresh !== undefined) {
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', refresh);
    } else {
      form.set('grant_type', 'client_credentials');
    }
    form.set('client_id', read('client_id') ?? '');
    form.set('client_secret', read('client_secret') ?? '');
    if (this.auth.scopes !== undefined && this.auth.scopes.length > 0) form.set('scope', this.auth.scopes.join(' '));
    return form;
  }

  private async request(context: RequestContext): Promise<string> {
    const form = this.grantForm();
    const url = redactUrl(this.auth.token_url);
    const raw = await this.transport.send(
      {
        method: 'POST',
        url: this.auth.token_url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      },
      context,
    );
    const response = scrubErrorBody(raw, [...this.seen]);
    const fail = (what: string, hint: string): HelError =>
      new HelError('HEL_AUTH', `OAuth2 token request ${what}`, { source: context.source, url, status: response.status, hint });
    if (response.status < 200 || response.status > 299) {
      const detail = serverMessage(response.body);
      throw fail(
        `failed: HTTP ${response.status}${detail === undefined ? '' : ` (${detail})`}`,
        form.get('grant_type') === 'refresh_token'
          ? 'check the client id, client secret and refresh token (it may be expired or already used), and token_url'
          : 'check the client id, client secret, scopes and token_url',
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown };
    try {
      body = JSON.parse(response.body.toString('utf8')) as typeof body;
    } catch {
      throw fail('returned a body that is not JSON', 'check token_url points at the OAuth2 token endpoint');
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw fail('returned no access_token', 'check token_url points at the OAuth2 token endpoint');
    }
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '') {
      this.rotatedRefresh = body.refresh_token;
      this.seen.add(body.refresh_token);
    }
    this.seen.add(body.access_token);
    const lifetimeMs = Number(body.expires_in) * 1000;
    const renewAt = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? this.clock.now() + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2) : undefined;
    this.cached = { value: body.access_token, renewAt };
    return body.access_token;
  }
}
