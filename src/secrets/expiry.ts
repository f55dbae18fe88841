import type { SecretInfo } from './secrets-file.js';

/** A credential expiring within this many days is announced by validate, run and the report. */
export const EXPIRY_WARNING_DAYS = 14;

/**
 * "in 3 day(s)", "1 day(s) ago", "in less than a day": whole days, always rounded toward zero,
 * so 24 hours past expiry is "1 day(s) ago" everywhere (validate, test, secrets, report).
 */
export function daysPhrase(days: number): string {
  const whole = Math.floor(Math.abs(days));
  if (days < 0) return whole === 0 ? 'less than a day ago' : `${whole} day(s) ago`;
  return whole === 0 ? 'in less than a day' : `in ${whole} day(s)`;
}

export interface SecretExpiry {
  /** ISO time of the token's `exp`; undefined when the value is not a JWT or never expires. */
  expiresAt?: string;
  /** Days left (negative when expired). */
  daysLeft?: number;
  /** Expired, or expires within EXPIRY_WARNING_DAYS (14). */
  expiringSoon: boolean;
}

export function expiryOf(expiresAt: string | undefined, now: number): SecretExpiry {
  if (expiresAt === undefined) return { expiringSoon: false };
  const daysLeft = (Date.parse(expiresAt) - now) / 86_400_000;
  return { expiresAt, daysLeft, expiringSoon: daysLeft < EXPIRY_WARNING_DAYS };
}

/** Name → expiry of every stored secret (`SecretsFile.list()`), for validate/run to warn about tokens expiring soon. */
export function listSecretExpiries(secrets: readonly SecretInfo[], now: number = Date.now()): Map<string, SecretExpiry> {
  return new Map(secrets.map((s) => [s.name, expiryOf(s.expiresAt, now)]));
}

/** One human line about an expiry, e.g. "expires 2026-04-01 (in 12 days)"; undefined if none. */
export function describeExpiry(expiry: SecretExpiry): string | undefined {
  if (expiry.expiresAt === undefined || expiry.daysLeft === undefined) return undefined;
  const date = expiry.expiresAt.slice(0, 10);
  return `${expiry.daysLeft < 0 ? 'expired' : 'expires'} ${date} (${daysPhrase(expiry.daysLeft)})`;
}

/** Warning lines for secrets that expired or expire within 14 days, ready for config warnings. */
export function secretExpiryWarnings(secrets: readonly SecretInfo[], now: number = Date.now()): string[] {
  const warnings: string[] = [];
  for (const [name, expiry] of listSecretExpiries(secrets, now)) {
    if (!expiry.expiringSoon) continue;
    warnings.push(`secret ${name}: ${describeExpiry(expiry) ?? 'expires soon'}: rotate it and run hel secrets set ${name}`);
  }
  return warnings;
}
