import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '../../clock.js';
import type { HttpResponse } from '../transport.js';

/**
 * DPoP (RFC 9449): one ephemeral ES256 key per source (never stored), a fresh proof JWT per request
 * bound to its method and URL, `ath` binding it to the access token on API requests, and the
 * server's `DPoP-Nonce` remembered per origin and echoed in later proofs.
 */
export class DpopProofs {
  private keys: Promise<{ privateKey: CryptoKey; jwk: JWK }> | undefined;
  private readonly nonces = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  async proof(method: string, url: string, accessToken?: string): Promise<string> {
    const { privateKey, jwk } = await (this.keys ??= DpopProofs.generate());
    const target = new URL(url);
    const nonce = this.nonces.get(target.origin);
    const claims: Record<string, string> = { jti: randomUUID(), htm: method, htu: `${target.origin}${target.pathname}` };
    if (nonce !== undefined) claims.nonce = nonce;
    if (accessToken !== undefined) claims.ath = createHash('sha256').update(accessToken).digest('base64url');
    return new SignJWT(claims)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
      .setIssuedAt(Math.floor(this.clock.now() / 1000))
      .sign(privateKey);
  }

  /** Keeps the nonce a response carries; true when the server refused the proof for want of (a newer) one. */
  learn(url: string, response: HttpResponse): boolean {
    const nonce = response.headers['dpop-nonce'];
    if (nonce === undefined || nonce === '') return false;
    const origin = new URL(url).origin;
    const changed = this.nonces.get(origin) !== nonce;
    this.nonces.set(origin, nonce);
    return changed && asksForNonce(response);
  }

  private static async generate(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const { kty, crv, x, y } = await exportJWK(publicKey);
    return { privateKey, jwk: { kty, crv, x, y } };
  }
}

/** A token endpoint answers 400 `use_dpop_nonce`; a resource server 401 with `WWW-Authenticate: DPoP error="use_dpop_nonce"`. */
function asksForNonce(response: HttpResponse): boolean {
  if (/use_dpop_nonce/.test(response.headers['www-authenticate'] ?? '')) return true;
  return response.status === 400 && /"use_dpop_nonce"/.test(response.body.subarray(0, 4096).toString('utf8'));
}
