import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { EmbeddedJWK, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import type { FakeReply, FakeRequest } from '../fake-api.js';

/** An API service integration of the fake org: its client ID, the PEM key Hel signs with, and what the org grants it. */
interface FakeOAuthClient {
  clientId: string;
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), as Okta's "Generate new key" hands it out. */
  privateKeyPem: string;
}

export interface FakeOAuthClients {
  /** Public key / private key client auth, "Require DPoP header" on, okta.logs.read granted. */
  dpop: FakeOAuthClient;
  /** Public key / private key client auth without DPoP, okta.logs.read granted. */
  jwt: FakeOAuthClient;
  /** No Okta API scope granted: a token request for okta.logs.read is invalid_scope. */
  unscoped: FakeOAuthClient;
}

interface Client {
  id: string;
  publicKey: KeyObject;
  requireDpop: boolean;
  scopes: string[];
}

interface Issued {
  /** Thumbprint of the DPoP key the token is bound to (RFC 9449 `cnf.jkt`). */
  jkt?: string;
  expiresAt: number;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_SECS = 3600;
/** Okta accepts client assertions and DPoP proofs issued within the last few minutes. */
const PROOF_WINDOW_SECS = 300;

const oauthError = (status: number, error: string, description: string, headers: Record<string, string> = {}): FakeReply => ({ status, headers, body: { error, error_description: description } });

/**
 * The org authorization server of a fake Okta org (`POST /oauth2/v1/token`) for API service
 * integrations, as Okta documents it: client_credentials with private_key_jwt (the client
 * assertion's signature, iss = sub = client ID, aud = the token URL, exp, a jti used once) and,
 * for an app that requires it, DPoP (RFC 9449): a proof on the token request with Okta's
 * `use_dpop_nonce` round trip, then a DPoP-bound token whose proofs on `/api/v1/logs` must match
 * its key, method, URL and `ath`.
 */
export class OktaOAuthFake {
  readonly clients: FakeOAuthClients;
  private readonly registered = new Map<string, Client>();
  private readonly issued = new Map<string, Issued>();
  private readonly usedJtis = new Set<string>();
  private readonly nonce = randomBytes(16).toString('base64url');

  constructor(
    private readonly baseUrl: () => string,
    private readonly now: () => number,
  ) {
    const make = (id: string, requireDpop: boolean, scopes: string[]): FakeOAuthClient => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.registered.set(id, { id, publicKey, requireDpop, scopes });
      return { clientId: id, privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
    };
    this.clients = { dpop: make('0oadpop0000000000001', true, ['okta.logs.read']), jwt: make('0oajwt00000000000002', false, ['okta.logs.read']), unscoped: make('0oanone0000000000003', false, []) };
  }

  async token(req: FakeRequest): Promise<FakeReply> {
    const form = new URLSearchParams(req.body);
    const tokenUrl = `${this.baseUrl()}/oauth2/v1/token`;
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return oauthError(401, 'invalid_client', 'Client authentication failed: the org authorization server requires private_key_jwt.');
    const assertion = form.get('client_assertion') ?? '';
    let clientId: unknown;
    try {
      clientId = decodeJwt(assertion).iss;
    } catch {
      return oauthError(401, 'invalid_client', 'The client_assertion is not a valid JWT.');
    }
    const client = typeof clientId === 'string' ? this.registered.get(clientId) : undefined;
    if (client === undefined) return oauthError(401, 'invalid_client', 'The client_assertion token is invalid: unknown client.');
    try {
      const { payload } = await jwtVerify(assertion, client.publicKey, {
        issuer: client.id,
        subject: client.id,
        audience: tokenUrl,
        requiredClaims: ['exp', 'jti'],
        currentDate: new Date(this.now()),
        maxTokenAge: PROOF_WINDOW_SECS + TOKEN_SECS,
      });
      if (this.usedJtis.has(payload.jti!)) return oauthError(401, 'invalid_client', "The client_assertion token has already been used ('jti' seen before).");
      this.usedJtis.add(payload.jti!);
    } catch (err) {
      return oauthError(401, 'invalid_client', `The client_assertion token is invalid: ${(err as Error).message}`);
    }
    let jkt: string | undefined;
    const proof = req.headers.dpop;
    if (client.requireDpop) {
      if (typeof proof !== 'string') return oauthError(400, 'invalid_dpop_proof', 'The DPoP proof JWT header is missing.');
      const checked = await this.checkProof(proof, 'POST', tokenUrl);
      if ('error' in checked) return checked.error;
      if (checked.nonce !== this.nonce) return oauthError(400, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.', { 'dpop-nonce': this.nonce });
      jkt = checked.jkt;
    }
    const requested = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    if (requested.length === 0) return oauthError(400, 'invalid_scope', 'The authorization server requires a scope for client_credentials.');
    const refused = requested.filter((s) => !client.scopes.includes(s));
    if (refused.length > 0) return oauthError(400, 'invalid_scope', `The following scopes are not allowed: ${refused.join(', ')}`);
    const value = `eyJfake.${randomBytes(24).toString('base64url')}`;
    this.issued.set(value, { ...(jkt === undefined ? {} : { jkt }), expiresAt: this.now() + TOKEN_SECS * 1000 });
    return { status: 200, body: { token_type: jkt === undefined ? 'Bearer' : 'DPoP', expires_in: TOKEN_SECS, access_token: value, scope: requested.join(' ') } };
  }

  /** An API request with an OAuth token: undefined when it may proceed, else Okta's refusal. */
  async authorize(req: FakeRequest): Promise<FakeReply | undefined> {
    const header = req.headers.authorization ?? '';
    const [scheme, value = ''] = header.split(' ', 2);
    const token = this.issued.get(value);
    const refuse = (code: string, summary: string, challenge: string): FakeReply => ({
      status: 401,
      headers: { 'www-authenticate': challenge },
      body: { errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${code}`, errorCauses: [] },
    });
    if (token === undefined || token.expiresAt <= this.now()) return refuse('invalid_token', 'The access token is invalid.', `${scheme ?? 'Bearer'} error="invalid_token"`);
    if (token.jkt === undefined) return scheme === 'Bearer' ? undefined : refuse('invalid_token', 'A Bearer token was sent with the DPoP scheme.', 'Bearer error="invalid_token"');
    if (scheme !== 'DPoP') return refuse('invalid_token', 'A DPoP-bound access token must be sent with the DPoP scheme.', 'DPoP error="invalid_token"');
    const proof = req.headers.dpop;
    if (typeof proof !== 'string') return refuse('invalid_dpop_proof', 'The DPoP proof JWT header is missing.', 'DPoP error="invalid_dpop_proof"');
    const checked = await this.checkProof(proof, req.method, `${this.baseUrl()}${req.url.pathname}`);
    if ('error' in checked) return refuse('invalid_dpop_proof', String((checked.error.body as { error_description: string }).error_description), 'DPoP error="invalid_dpop_proof"');
    if (checked.jkt !== token.jkt) return refuse('invalid_dpop_proof', 'The DPoP proof was not signed by the key the access token is bound to.', 'DPoP error="invalid_dpop_proof"');
    if (checked.ath !== createHash('sha256').update(value).digest('base64url'))
      return refuse('invalid_dpop_proof', "The DPoP proof's 'ath' does not match the access token.", 'DPoP error="invalid_dpop_proof"');
    return undefined;
  }

  /** Verifies a DPoP proof's signature by its embedded key, its typ, htm, htu, iat and jti. */
  private async checkProof(proof: string, method: string, url: string): Promise<{ jkt: string; nonce?: string; ath?: string } | { error: FakeReply }> {
    const invalid = (why: string) => ({ error: oauthError(400, 'invalid_dpop_proof', `The DPoP proof is invalid: ${why}`) });
    try {
      if (decodeProtectedHeader(proof).typ !== 'dpop+jwt') return invalid("typ must be 'dpop+jwt'");
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ['ES256', 'RS256'],
        currentDate: new Date(this.now()),
        maxTokenAge: PROOF_WINDOW_SECS,
        requiredClaims: ['jti', 'iat', 'htm', 'htu'],
      });
      if (payload.htm !== method) return invalid(`htm is ${String(payload.htm)}, not ${method}`);
      if (payload.htu !== url) return invalid(`htu is ${String(payload.htu)}, not ${url}`);
      if (this.usedJtis.has(payload.jti!)) return invalid('jti was used before');
      this.usedJtis.add(payload.jti!);
      return {
        jkt: await calculateJwkThumbprint(protectedHeader.jwk as JWK),
        ...(typeof payload.nonce === 'string' ? { nonce: payload.nonce } : {}),
        ...(typeof payload.ath === 'string' ? { ath: payload.ath } : {}),
      };
    } catch (err) {
      return invalid((err as Error).message);
    }
  }
}
