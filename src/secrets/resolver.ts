import { HelError } from '../errors.js';
import type { SecretRef } from '../http/auth/secret-refs.js';
import { BoundedReadError, readBoundedFile } from '../read-bounded.js';
import { secretExpiryWarnings } from './expiry.js';
import { SecretsFile } from './secrets-file.js';

/** A credential file holds one token or key; a larger one is a mistake (or /dev/zero). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** What a consumer of credentials (auth, sinks, state backends, connection tests) is given. */
export interface SecretReader {
  /** The environment credentials (and proxy settings) are read from. */
  readonly env: NodeJS.ProcessEnv;
  /** The credential's value now; throws HEL_SECRET with a hint when it cannot be read. */
  read(ref: SecretRef): string;
}

/** `global.secrets`: where the encrypted store is and which key file opens it. */
export interface SecretsSettings {
  path: string;
  keyFile?: string;
}

/**
 * Every credential Hel reads goes through one resolver, built when the config is loaded and handed
 * on to the runtime (`LoadedConfig.secrets`), so validation, expiry warnings and every request share
 * one view of the encrypted store: its key is derived once per version of the file, not per read.
 *
 * Precedence as in the original Hel: `*_file`, then `*_env`, then `*_secret`. Files and variables
 * are read on every call, so a rotated token file is used by the next request; the store is
 * re-read when it changed on disk (see SecretsFile).
 */
export class SecretResolver implements SecretReader {
  readonly env: NodeJS.ProcessEnv;
  readonly settings: Readonly<SecretsSettings>;
  readonly #store: SecretsFile;

  constructor(options: { env: NodeJS.ProcessEnv } & SecretsSettings) {
    this.env = options.env;
    this.settings = { path: options.path, ...(options.keyFile === undefined ? {} : { keyFile: options.keyFile }) };
    this.#store = new SecretsFile({ path: options.path, env: options.env, keyFile: options.keyFile });
  }

  /** Whether this resolver reads the store `settings` name (a reload keeps the running resolver when it does). */
  serves(settings: SecretsSettings, env: NodeJS.ProcessEnv): boolean {
    return this.env === env && this.settings.path === settings.path && this.settings.keyFile === settings.keyFile;
  }

  read(ref: SecretRef): string {
    if (ref.file !== undefined) return readCredentialFile(ref, ref.file);
    if (ref.env !== undefined) {
      const value = this.env[ref.env];
      if (value === undefined || (value === '' && !ref.optional)) {
        throw new HelError('HEL_SECRET', `${ref.env} is not set`, { hint: `export ${ref.env} with the ${ref.what}` });
      }
      return value.trim();
    }
    if (ref.secret !== undefined) return this.#store.value(ref.secret);
    if (ref.optional) return '';
    throw new HelError('HEL_SECRET', `${ref.what} is not configured`, { hint: `set one of ${ref.keys.join(', ')}` });
  }

  /** A reader that tells `onRead` of every credential read (never its value): global.audit.log_credential_access. */
  observed(onRead: ((ref: SecretRef) => void) | undefined): SecretReader {
    if (onRead === undefined) return this;
    return {
      env: this.env,
      read: (ref) => {
        const value = this.read(ref);
        onRead(ref);
        return value;
      },
    };
  }

  /** Warning lines for stored tokens that expired or expire within 14 days (from the same decrypted view). */
  expiryWarnings(now: number): string[] {
    return secretExpiryWarnings(this.#store.list(), now);
  }

  /** How many times the store's passphrase went through scrypt in this process. */
  get keyDerivations(): number {
    return this.#store.keyDerivations;
  }
}

function readCredentialFile(ref: SecretRef, file: string): string {
  try {
    return readBoundedFile(file, MAX_SECRET_FILE_BYTES).toString('utf8').trim();
  } catch (err) {
    const why = err instanceof BoundedReadError && err.errno === undefined ? `: it ${err.message}` : ` (${err instanceof BoundedReadError ? err.errno : 'error'})`;
    throw new HelError('HEL_SECRET', `cannot read ${ref.what} from ${file}${why}`, { hint: `check ${ref.prefix}_file` });
  }
}
