import { randomBytes } from 'node:crypto';

export const MASTER_KEY = randomBytes(32).toString('hex');
export const OTHER_KEY = randomBytes(32).toString('hex');

/** An unsigned JWT shaped like a 1Password Events token, expiring `days` from now. */
export function eventsToken(days: number): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000 + days * 86_400);
  return `${b64({ alg: 'ES256', kid: 'test' })}.${b64({ aud: ['events.1password.com'], exp, sub: 'TESTSUB', '1password.com/fts': ['auditevents'] })}.${randomBytes(32).toString('base64url')}`;
}

/** A value that must never show up anywhere but inside the encrypted file. */
export function plaintextCanary(): string {
  return `canary-${randomBytes(12).toString('hex')}`;
}
