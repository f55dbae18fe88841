import { readFileSync, statSync } from 'node:fs';
import { HelError } from '../errors.js';
import { openSecrets, type SecretsPayload } from './envelope.js';
import { deriveKey, resolveKeyMaterial, type KeyMaterial, type SecretStoreOptions } from './master-key.js';

/** Metadata of one secret, without its value. */
export interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
  expiresAt?: string;
}

/** The AES key derived from a passphrase for one salt; every write of the file draws a new salt. */
interface DerivedKey {
  passphrase: string;
  salt: Buffer;
  key: Buffer;
}

/**
 * The encrypted secrets file as one process sees it, and the only place that decrypts it.
 *
 * Every read looks at the file's identity (device, inode, size, change and modification times;
 * one stat). While it is unchanged the decrypted content is served from memory; when it changed
 * (`hel secrets set` replaces the file by a rename, so the inode changes) the master key is read
 * again and the file decrypted again. A passphrase costs a scrypt run (~100 ms, 32 MiB), so the
 * derived key is kept for the file's salt: one derivation per version of the file, not per read.
 */
export class SecretsFile {
  #stamp: string | undefined;
  #payload: SecretsPayload | undefined;
  #derived: DerivedKey | undefined;
  #derivations = 0;

  constructor(readonly options: SecretStoreOptions) {}

  get path(): string {
    return this.options.path;
  }

  /** How many times a passphrase went through scrypt (observability of the cache, for tests and the bench). */
  get keyDerivations(): number {
    return this.#derivations;
  }

  /** The decrypted content, or undefined when the file does not exist. Throws HEL_SECRET with a hint. */
  payload(): SecretsPayload | undefined {
    const stamp = this.#currentStamp();
    if (stamp === undefined) {
      this.#stamp = undefined;
      this.#payload = undefined;
      return undefined;
    }
    if (stamp === this.#stamp && this.#payload !== undefined) return this.#payload;
    this.#payload = undefined;
    const text = readStoreText(this.path);
    if (text === undefined) return undefined;
    const payload = openSecrets(text, resolveKeyMaterial(this.options), this.path, (material, salt) => this.#derive(material, salt));
    this.#stamp = stamp;
    this.#payload = payload;
    return payload;
  }

  /** The value of one stored secret; throws HEL_SECRET (with a hint) when the file or the name is missing. */
  value(name: string): string {
    const payload = this.payload();
    if (payload === undefined) {
      throw new HelError('HEL_SECRET', `secret ${name}: secrets file ${this.path} does not exist`, {
        hint: `store it with: hel secrets set ${name} --file ${this.path}`,
      });
    }
    const entry = Object.hasOwn(payload.secrets, name) ? payload.secrets[name] : undefined;
    if (entry === undefined || typeof entry.value !== 'string') {
      throw new HelError('HEL_SECRET', `secret ${name} is not in ${this.path}`, {
        hint: `run hel secrets list to see the stored names, or hel secrets set ${name}`,
      });
    }
    return entry.value;
  }

  /** Stored names with their metadata (never values), sorted by name. An absent file has none. */
  list(): SecretInfo[] {
    const payload = this.payload();
    if (payload === undefined) return [];
    return Object.entries(payload.secrets)
      .map(([name, s]) => ({ name, createdAt: s.created_at, updatedAt: s.updated_at, ...(s.expires_at ? { expiresAt: s.expires_at } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  #derive(material: KeyMaterial, salt: Buffer): Buffer {
    if (material.kind === 'raw') return deriveKey(material, salt);
    const cached = this.#derived;
    if (cached !== undefined && cached.passphrase === material.passphrase && cached.salt.equals(salt)) return cached.key;
    const key = deriveKey(material, salt);
    this.#derivations += 1;
    this.#derived = { passphrase: material.passphrase, salt, key };
    return key;
  }

  #currentStamp(): string | undefined {
    try {
      const s = statSync(this.path, { bigint: true });
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw unreadable(this.path, err);
    }
  }
}

/** Reads the file's text, or undefined when it does not exist (yet, or any more). */
export function readStoreText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(path, err);
  }
}

function unreadable(path: string, err: unknown): HelError {
  return new HelError('HEL_SECRET', `cannot read secrets file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'check global.secrets.path or --file' });
}
