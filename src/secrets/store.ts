import { readFileSync } from 'node:fs';
import { HelError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { openSecrets, sealSecrets, type SecretsPayload, type StoredSecret } from './envelope.js';
import { resolveKeyMaterial, type SecretStoreOptions } from './master-key.js';
import { withStoreLock } from './lock.js';

export type { SecretStoreOptions } from './master-key.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Metadata of one secret, without its value. */
export interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
  expiresAt?: string;
}

export function checkSecretName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new HelError('HEL_USAGE', `invalid secret name ${JSON.stringify(name.slice(0, 64))}`, {
      hint: 'use letters, digits, . _ - (starting with a letter or digit), e.g. op_events_token',
    });
  }
}

/** Reads the file's text, or undefined when it does not exist yet. */
function readStoreText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new HelError('HEL_SECRET', `cannot read secrets file ${path} (${code ?? 'error'})`, { hint: 'check global.secrets.path or --file' });
  }
}

function loadPayload(options: SecretStoreOptions): SecretsPayload | undefined {
  const text = readStoreText(options.path);
  if (text === undefined) return undefined;
  return openSecrets(text, resolveKeyMaterial(options), options.path);
}

/** The value of one stored secret; throws HEL_SECRET (with a hint) on any problem. */
export function readStoredSecret(name: string, options: { path: string; env: NodeJS.ProcessEnv; keyFile?: string }): string {
  const payload = loadPayload(options);
  if (payload === undefined) {
    throw new HelError('HEL_SECRET', `secret ${name}: secrets file ${options.path} does not exist`, {
      hint: `store it with: hel secrets set ${name} --file ${options.path}`,
    });
  }
  const entry = Object.hasOwn(payload.secrets, name) ? payload.secrets[name] : undefined;
  if (entry === undefined || typeof entry.value !== 'string') {
    throw new HelError('HEL_SECRET', `secret ${name} is not in ${options.path}`, {
      hint: `run hel secrets list to see the stored names, or hel secrets set ${name}`,
    });
  }
  return entry.value;
}

/** Stored names with their metadata (never values), sorted by name. An absent file has none. */
export function listSecrets(options: SecretStoreOptions): SecretInfo[] {
  const payload = loadPayload(options);
  if (payload === undefined) return [];
  return Object.entries(payload.secrets)
    .map(([name, s]) => ({ name, createdAt: s.created_at, updatedAt: s.updated_at, ...(s.expires_at ? { expiresAt: s.expires_at } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface SetSecretOptions extends SecretStoreOptions {
  /**
   * Reads the expiry a credential states about itself (the integrations registry's `tokenExpiry`,
   * passed in by the CLI: the store sits below the integrations). Without it no expiry is recorded.
   */
  tokenExpiry?: (value: string) => Date | undefined;
}

/** Adds or replaces a secret; returns its metadata. Creates the file (mode 0600) if needed. */
export function setSecret(name: string, value: string, options: SetSecretOptions, now: Date = new Date()): SecretInfo {
  checkSecretName(name);
  if (value === '') throw new HelError('HEL_USAGE', `secret ${name}: the value is empty`, { hint: 'pipe the value on stdin or type it at the prompt' });
  const material = resolveKeyMaterial(options);
  return withStoreLock(options.path, () => {
    const text = readStoreText(options.path);
    const payload = text === undefined ? { secrets: {} } : openSecrets(text, material, options.path);
    const previous = Object.hasOwn(payload.secrets, name) ? payload.secrets[name] : undefined;
    const stamp = now.toISOString();
    const entry: StoredSecret = { value, created_at: previous?.created_at ?? stamp, updated_at: stamp };
    const expiresAt = options.tokenExpiry?.(value)?.toISOString();
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
    const text = readStoreText(options.path);
    const payload = text === undefined ? undefined : openSecrets(text, material, options.path);
    if (payload === undefined || !Object.hasOwn(payload.secrets, name)) {
      throw new HelError('HEL_SECRET', `secret ${name} is not in ${options.path}`, { hint: 'run hel secrets list to see the stored names' });
    }
    delete payload.secrets[name];
    writeFileAtomic(options.path, sealSecrets(payload, material));
  });
}
