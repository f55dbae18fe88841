import { HelError } from '../errors.js';
import { tokenExpiry } from '../integrations/registry.js';
import { writeFileAtomic } from './atomic-write.js';
import { sealSecrets, type SecretsPayload, type StoredSecret } from './envelope.js';
import { resolveKeyMaterial, type SecretStoreOptions } from './master-key.js';
import { withStoreLock } from './lock.js';
import { SecretsFile, type SecretInfo } from './secrets-file.js';

export type { SecretStoreOptions } from './master-key.js';
export type { StoredSecret } from './envelope.js';
export type { SecretInfo } from './secrets-file.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkSecretName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new HelError('HEL_USAGE', `invalid secret name ${JSON.stringify(name.slice(0, 64))}`, {
      hint: 'use letters, digits, . _ - (starting with a letter or digit), e.g. op_events_token',
    });
  }
}

/** Stored names with their metadata (never values), sorted by name. An absent file has none. */
export function listSecrets(options: SecretStoreOptions): SecretInfo[] {
  return new SecretsFile(options).list();
}

/** Adds or replaces a secret; returns its metadata. Creates the file (mode 0600) if needed. */
export function setSecret(name: string, value: string, options: SecretStoreOptions, now: Date = new Date()): SecretInfo {
  checkSecretName(name);
  if (value === '') throw new HelError('HEL_USAGE', `secret ${name}: the value is empty`, { hint: 'pipe the value on stdin or type it at the prompt' });
  const material = resolveKeyMaterial(options);
  return withStoreLock(options.path, () => {
    const payload = currentPayload(options) ?? { secrets: {} };
    const previous = Object.hasOwn(payload.secrets, name) ? payload.secrets[name] : undefined;
    const stamp = now.toISOString();
    const entry: StoredSecret = { value, created_at: previous?.created_at ?? stamp, updated_at: stamp };
    const expiresAt = jwtExpiry(value);
    if (expiresAt !== undefined) entry.expires_at = expiresAt;
    payload.secrets[name] = entry;
    writeFileAtomic(options.path, sealSecrets(payload, material));
    return { name, createdAt: entry.created_at, updatedAt: entry.updated_at, ...(expiresAt ? { expiresAt } : {}) };
  });
}

/** Removes a secret; throws HEL_SECRET when it is not stored. */
export function removeSecret(name: string, options: SecretStoreOptions): void {
  const material = resolveKeyMaterial(options);
  withStoreLock(options.path, () => {
    const payload = currentPayload(options);
    if (payload === undefined || !Object.hasOwn(payload.secrets, name)) {
      throw new HelError('HEL_SECRET', `secret ${name} is not in ${options.path}`, { hint: 'run hel secrets list to see the stored names' });
    }
    delete payload.secrets[name];
    writeFileAtomic(options.path, sealSecrets(payload, material));
  });
}

/** The file's content as it is now (a fresh reader: nothing cached survives the write). */
function currentPayload(options: SecretStoreOptions): SecretsPayload | undefined {
  return new SecretsFile(options).payload();
}

function jwtExpiry(value: string): string | undefined {
  return tokenExpiry(value)?.toISOString();
}
