/** Claims of a 1Password Events API bearer token that Hel reads (reference §3.2). */
export interface EventsTokenClaims {
  aud?: string[] | string;
  sub?: string;
  iss?: string;
  iat?: number;
  exp?: number;
  '1password.com/auuid'?: string;
  '1password.com/fts'?: string[];
  [claim: string]: unknown;
}

/**
 * Reads a JWT's claims without verifying its signature, as 1Password's own clients do to find the
 * region (`aud`) and features. Returns undefined for anything that is not a JWT.
 */
export function decodeEventsToken(token: string): EventsTokenClaims | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as EventsTokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** The Events host the token belongs to (`aud[0]`), if it names one. */
export function tokenHost(claims: EventsTokenClaims): string | undefined {
  const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  return typeof aud === 'string' && aud.includes('.') && aud !== 'com.1password.streamingservice' ? aud : undefined;
}

export function tokenFeatures(claims: EventsTokenClaims): string[] | undefined {
  const fts = claims['1password.com/fts'];
  return Array.isArray(fts) ? fts.filter((f): f is string => typeof f === 'string') : undefined;
}

/** Days until the token expires (negative when expired); undefined when it never expires. */
export function daysUntilExpiry(claims: EventsTokenClaims, now: number): number | undefined {
  return typeof claims.exp === 'number' ? (claims.exp * 1000 - now) / 86_400_000 : undefined;
}

export const EXPIRY_WARNING_DAYS = 14;
