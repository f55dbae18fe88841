import type { Clock } from '../../clock.js';
import { HelError } from '../../errors.js';
import { serverMessage, type Advisor } from '../failure.js';
import { redactUrl } from '../redact-url.js';
import type { HttpResponse, HttpTransport, RequestContext } from '../transport.js';
import type { DpopProofs } from './dpop.js';
import type { TokenGrant } from './token-grants.js';
import { scrubErrorBody } from './with-header.js';

/** Tokens are renewed this long before they expire (or at half their lifetime, if shorter). */
const EXPIRY_MARGIN_MS = 60_000;

export interface AccessToken {
  value: string;
  /** The Authorization scheme: `Bearer`, or `DPoP` for a DPoP-bound token. */
  scheme: 'Bearer' | 'DPoP';
}

interface CachedToken extends AccessToken {
  /** Renew at this clock time; undefined = until the API answers 401. */
  renewAt?: number;
}

export interface OAuth2TokensOptions {
  /** Proofs for a DPoP-bound token (RFC 9449), when the auth block says `dpop: true`. */
  dpop?: DpopProofs;
  /** The source's integration's hint for a refused token request (e.g. Google's unauthorized_client). */
  advise?: Advisor;
}

/** The fix for the token endpoint's RFC 6749 / RFC 9449 `error`, where the error code alone says it. */
function standardHint(body: Buffer): string | undefined {
  let parsed: { error?: unknown; error_description?: unknown };
  try {
    parsed = JSON.parse(body.subarray(0, 16_384).toString('utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  const description = typeof parsed.error_description === 'string' ? parsed.error_description : '';
  switch (parsed.error) {
    case 'invalid_dpop_proof':
      return /missing/i.test(description)
        ? 'the server requires DPoP (e.g. Okta\'s "Require DPoP header"): set dpop: true under auth'
        : 'the server refused the DPoP proof: check the clock of this machine (iat) and that token_url is exactly the token endpoint (htu)';
    case 'use_dpop_nonce':
      return 'the server asked for a DPoP nonce again after Hel sent it: check that no proxy strips the DPoP-Nonce header';
    case 'invalid_scope':
      return "the server refused the scopes: list only scopes granted to this client (Okta: the app's Okta API Scopes tab, e.g. okta.logs.read)";
    default:
      return undefined;
  }
}

/**
 * Access tokens from a token endpoint, by any grant (client credentials, refresh token, a
 * service account's JWT bearer). One token is cached until shortly before it expires, and
 * concurrent requests share one token request.
 */
export class OAuth2Tokens {
  private cached: CachedToken | undefined;
  private pending: Promise<AccessToken> | undefined;
  /** Every credential this cache has seen, so error bodies can be scrubbed of them. */
  readonly seen = new Set<string>();

  constructor(
    private readonly grant: TokenGrant,
    private readonly clock: Clock,
    private readonly transport: HttpTransport,
    private readonly options: OAuth2TokensOptions = {},
  ) {}

  async get(context: RequestContext): Promise<AccessToken> {
    const cached = this.cached;
    if (cached !== undefined && (cached.renewAt === undefined || this.clock.now() < cached.renewAt)) return cached;
    this.pending ??= this.request(context).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `token` after the API rejected it (a newer one may already be cached). */
  invalidate(token: AccessToken): void {
    if (this.cached?.value === token.value) this.cached = undefined;
  }

  private async post(context: RequestContext): Promise<{ url: string; response: HttpResponse }> {
    const { url, form } = await this.grant.request(this.seen);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const dpop = this.options.dpop;
    if (dpop !== undefined) headers.dpop = await dpop.proof('POST', url);
    const response = await this.transport.send({ method: 'POST', url, headers, body: form.toString() }, context);
    return { url, response };
  }

  private async request(context: RequestContext): Promise<AccessToken> {
    let { url, response: raw } = await this.post(context);
    // A DPoP token endpoint asks for its nonce once (400 use_dpop_nonce); the grant is rebuilt, as a
    // client assertion's jti may be used only once.
    if (this.options.dpop?.learn(url, raw) === true) ({ url, response: raw } = await this.post(context));
    const response = scrubErrorBody(raw, [...this.seen]);
    const where = redactUrl(url);
    const fail = (what: string, hint: string): HelError => new HelError('HEL_AUTH', `OAuth2 token request ${what}`, { source: context.source, url: where, status: response.status, hint });
    if (response.status < 200 || response.status > 299) {
      const detail = serverMessage(response.body);
      const advice = this.options.advise?.({ url, attempt: 1, status: response.status, body: response.body, final: true, tokenRequest: true });
      throw fail(`failed: HTTP ${response.status}${detail === undefined ? '' : ` (${detail})`}`, advice ?? standardHint(response.body) ?? this.grant.hint);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw fail('returned a body that is not JSON', 'check token_url points at the OAuth2 token endpoint');
    }
    if (typeof body !== 'object' || body === null || typeof body.access_token !== 'string' || body.access_token === '') {
      throw fail('returned no access_token', 'check token_url points at the OAuth2 token endpoint');
    }
    const scheme = typeof body.token_type === 'string' && body.token_type.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    if (this.options.dpop !== undefined && scheme !== 'DPoP') {
      throw fail(`returned a ${scheme} token although dpop is on`, 'turn on "Require DPoP header" for the client, or remove dpop: true');
    }
    this.grant.accepted?.(body, this.seen);
    this.seen.add(body.access_token);
    const lifetimeMs = Number(body.expires_in) * 1000;
    const renewAt = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? this.clock.now() + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2) : undefined;
    this.cached = { value: body.access_token, scheme, renewAt };
    return this.cached;
  }
}
