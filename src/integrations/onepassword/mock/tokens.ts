import { createECDH, createHmac, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, compactVerify, decodeJwt, exportJWK, type JWK } from 'jose';
import type { SeededRandom } from './rng.js';
import { base32Id } from './ids.js';
import type { Stream } from './shapes.js';
import { STREAMS } from './shapes.js';

/**
 * The claims of a 1Password Events API bearer token (reference §3.2): no `vts` (vault claims are for
 * Connect tokens) and `exp` only when the token was issued with an expiry.
 */
export interface MockTokenClaims {
  aud: string[];
  sub: string;
  iss: string;
  iat: number;
  exp?: number;
  jti: string;
  '1password.com/auuid': string;
  '1password.com/fts': string[];
  '1password.com/token': string;
}

export interface MintOptions {
  aud?: string | string[];
  features?: string[];
  /** Seconds from now; negative mints an already expired token. Absent: never expires (the 1Password default). */
  expiresInSecs?: number;
  accountUuid?: string;
  revoked?: boolean;
}

export type TokenCheck = { ok: true; claims: MockTokenClaims } | { ok: false; reason: 'malformed' | 'signature' | 'revoked' | 'expired' };

const DEFAULT_AUDIENCE = 'events.1password.com';
/** The only algorithm 1Password signs Events tokens with, and the only one its own clients accept. */
const TOKEN_ALG = 'ES256';
/** Order of the P-256 group: a private scalar must be below it. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/**
 * Mints and verifies the mock's bearer tokens, ES256-signed with jose as the real ones are. The
 * P-256 key is derived from the mock's key, so with a seed the tokens stay valid across restarts.
 * The signature catches tampering (e.g. a test that edits the features claim); the table keyed by
 * `1password.com/token` records revocations.
 */
export class TokenAuthority {
  private readonly revoked = new Set<string>();
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid: string;

  constructor(
    key: Buffer,
    private readonly rng: SeededRandom,
    private readonly now: () => number,
    private readonly integrationOf: (accountUuid: string) => string,
    private readonly defaultAccountUuid: string,
  ) {
    this.privateKey = derivePrivateKey(key);
    this.publicKey = createPublicKey(this.privateKey);
    // A 1Password-style lowercase base32 key id, stable for a given key.
    const digest = createHmac('sha256', key).update('kid').digest();
    this.kid = Array.from(digest.subarray(0, 26), (byte) => 'abcdefghijklmnopqrstuvwxyz234567'[byte & 31]).join('');
  }

  /** The verification key as a JWK (with kid and alg), for clients that check the signature. */
  async publicJwk(): Promise<JWK> {
    return { ...(await exportJWK(this.publicKey)), kid: this.kid, alg: TOKEN_ALG, use: 'sig' };
  }

  async mint(options: MintOptions = {}): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const accountUuid = options.accountUuid ?? this.defaultAccountUuid;
    const claims: MockTokenClaims = {
      aud: options.aud === undefined ? [DEFAULT_AUDIENCE] : Array.isArray(options.aud) ? options.aud : [options.aud],
      sub: this.integrationOf(accountUuid),
      iss: 'com.1password.b5',
      iat,
      ...(options.expiresInSecs === undefined ? {} : { exp: iat + Math.trunc(options.expiresInSecs) }),
      jti: base32Id(this.rng),
      '1password.com/auuid': accountUuid,
      '1password.com/fts': options.features ?? [...STREAMS],
      '1password.com/token': base32Id(this.rng, 'lower'),
    };
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: TOKEN_ALG, kid: this.kid }).sign(this.privateKey);
    if (options.revoked) this.revoked.add(claims['1password.com/token']);
    return token;
  }

  /** Revokes a token; its handle is read without verification, as a forged token could never be used anyway. */
  revoke(token: string): void {
    const handle = claimsOf(token)?.['1password.com/token'];
    if (handle !== undefined) this.revoked.add(handle);
  }

  async check(token: string): Promise<TokenCheck> {
    if (token.split('.').length !== 3 || claimsOf(token) === undefined) return { ok: false, reason: 'malformed' };
    let claims: MockTokenClaims | undefined;
    try {
      const { payload } = await compactVerify(token, this.publicKey, { algorithms: [TOKEN_ALG] });
      claims = validClaims(JSON.parse(Buffer.from(payload).toString('utf8')));
    } catch {
      return { ok: false, reason: 'signature' };
    }
    if (!claims) return { ok: false, reason: 'malformed' };
    if (this.revoked.has(claims['1password.com/token'])) return { ok: false, reason: 'revoked' };
    if (claims.exp !== undefined && claims.exp * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }
}

export function hasFeature(claims: MockTokenClaims, stream: Stream): boolean {
  return claims['1password.com/fts'].includes(stream);
}

/** A P-256 private key whose scalar is derived from `key` (re-derived in the rare case it is out of range). */
function derivePrivateKey(key: Buffer): KeyObject {
  for (let counter = 0; ; counter++) {
    const d = createHmac('sha256', key).update(`es256:${counter}`).digest();
    const scalar = BigInt(`0x${d.toString('hex')}`);
    if (scalar === 0n || scalar >= P256_ORDER) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey();
    return createPrivateKey({
      format: 'jwk',
      key: { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') },
    });
  }
}

/** The claims of a JWT-shaped token, unverified; undefined for anything else. */
function claimsOf(token: string): MockTokenClaims | undefined {
  try {
    return validClaims(decodeJwt(token));
  } catch {
    return undefined;
  }
}

function validClaims(value: unknown): MockTokenClaims | undefined {
  const claims = value as Partial<MockTokenClaims> | null;
  return claims && typeof claims['1password.com/token'] === 'string' && Array.isArray(claims['1password.com/fts']) ? (claims as MockTokenClaims) : undefined;
}
