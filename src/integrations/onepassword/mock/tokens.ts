import { createHmac, generateKeyPairSync, sign as signData, timingSafeEqual, verify as verifyData, type KeyObject } from 'node:crypto';
import type { SeededRandom } from './rng.js';
import { base32Id } from './ids.js';
import type { Stream } from './shapes.js';
import { STREAMS } from './shapes.js';

/** Claims 1Password puts in an Events API bearer token (reference §3.2). */
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
  /** HS256 (default) is verified with the mock's HMAC key; ES256 with a per-process P-256 key, as the real tokens are. */
  alg?: 'HS256' | 'ES256';
}

export type TokenCheck = { ok: true; claims: MockTokenClaims } | { ok: false; reason: 'malformed' | 'signature' | 'revoked' | 'expired' };

export const DEFAULT_AUDIENCE = 'events.1password.com';

/**
 * Mints and verifies the mock's bearer tokens. The signature catches tampering (e.g. a test that
 * edits the features claim); the table keyed by `1password.com/token` records revocations.
 * Tokens signed with the seed-derived HMAC key stay valid across restarts with the same seed.
 */
export class TokenAuthority {
  private readonly revoked = new Set<string>();
  private readonly ecKeys: { privateKey: KeyObject; publicKey: KeyObject };
  private readonly kid: string;

  constructor(
    private readonly hmacKey: Buffer,
    private readonly rng: SeededRandom,
    private readonly now: () => number,
    private readonly integrationOf: (accountUuid: string) => string,
    private readonly defaultAccountUuid: string,
  ) {
    this.ecKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // A 1Password-style lowercase base32 key id, stable for a given key.
    const digest = createHmac('sha256', hmacKey).update('kid').digest();
    this.kid = Array.from(digest.subarray(0, 26), (byte) => 'abcdefghijklmnopqrstuvwxyz234567'[byte & 31]).join('');
  }

  mint(options: MintOptions = {}): string {
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
    const alg = options.alg ?? 'HS256';
    const signingInput = `${encodeJson({ alg, kid: this.kid, typ: 'JWT' })}.${encodeJson(claims)}`;
    const token = `${signingInput}.${this.signature(alg, signingInput).toString('base64url')}`;
    if (options.revoked) this.revoked.add(claims['1password.com/token']);
    return token;
  }

  /** Revokes a token minted by this mock; anything else is ignored, as it could never be used anyway. */
  revoke(token: string): void {
    const claims = this.decodeVerified(token);
    if (claims) this.revoked.add(claims['1password.com/token']);
  }

  check(token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'malformed' };
    const claims = this.decodeVerified(token);
    if (!claims) return { ok: false, reason: 'signature' };
    if (this.revoked.has(claims['1password.com/token'])) return { ok: false, reason: 'revoked' };
    if (claims.exp !== undefined && claims.exp * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  private decodeVerified(token: string): MockTokenClaims | undefined {
    const [header, payload, signature] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined) return undefined;
    const parsedHeader = decodeJson(header) as { alg?: unknown } | undefined;
    const alg = parsedHeader?.alg;
    if (alg !== 'HS256' && alg !== 'ES256') return undefined;
    const given = Buffer.from(signature, 'base64url');
    const signingInput = `${header}.${payload}`;
    const valid =
      alg === 'HS256'
        ? safeEqual(given, this.signature('HS256', signingInput))
        : verifyData('sha256', Buffer.from(signingInput), { key: this.ecKeys.publicKey, dsaEncoding: 'ieee-p1363' }, given);
    if (!valid) return undefined;
    const claims = decodeJson(payload) as MockTokenClaims | undefined;
    return claims && typeof claims['1password.com/token'] === 'string' && Array.isArray(claims['1password.com/fts']) ? claims : undefined;
  }

  private signature(alg: 'HS256' | 'ES256', signingInput: string): Buffer {
    if (alg === 'HS256') return createHmac('sha256', this.hmacKey).update(signingInput).digest();
    return signData('sha256', Buffer.from(signingInput), { key: this.ecKeys.privateKey, dsaEncoding: 'ieee-p1363' });
  }
}

export function hasFeature(claims: MockTokenClaims, stream: Stream): boolean {
  return claims['1password.com/fts'].includes(stream);
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeJson(part: string): unknown {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
