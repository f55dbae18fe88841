import { HelError } from '../../errors.js';
import { BoundedReadError, readBoundedFile } from '../../read-bounded.js';

/** A credential file holds one token or key; a larger one is a mistake (or /dev/zero). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;
import { readStoredSecret } from '../../secrets/store.js';
import type { SecretRef } from '../../config/secret-refs.js';

export interface SecretContext {
  env: NodeJS.ProcessEnv;
  /** Path of the encrypted secrets file (global.secrets.path). */
  secretsPath: string;
  keyFile?: string;
  /** Told of every credential read (never its value): global.audit.log_credential_access. */
  onRead?: (ref: SecretRef) => void;
}

/**
 * Reads one credential when it is needed, never earlier and never cached by this function.
 * Precedence as in the original: file, then env; then the encrypted secrets store.
 */
export function readSecret(ref: SecretRef, ctx: SecretContext): string {
  const value = readSecretValue(ref, ctx);
  ctx.onRead?.(ref);
  return value;
}

function readSecretValue(ref: SecretRef, ctx: SecretContext): string {
  if (ref.file !== undefined) {
    try {
      return readBoundedFile(ref.file, MAX_SECRET_FILE_BYTES).toString('utf8').trim();
    } catch (err) {
      const why = err instanceof BoundedReadError && err.errno === undefined ? `: it ${err.message}` : ` (${err instanceof BoundedReadError ? err.errno : 'error'})`;
      throw new HelError('HEL_SECRET', `cannot read ${ref.what} from ${ref.file}${why}`, {
        hint: `check ${ref.prefix}_file`,
      });
    }
  }
  if (ref.env !== undefined) {
    const value = ctx.env[ref.env];
    if (value === undefined || (value === '' && !ref.optional)) {
      throw new HelError('HEL_SECRET', `${ref.env} is not set`, { hint: `export ${ref.env} with the ${ref.what}` });
    }
    return value.trim();
  }
  if (ref.secret !== undefined) {
    return readStoredSecret(ref.secret, { path: ctx.secretsPath, env: ctx.env, keyFile: ctx.keyFile });
  }
  if (ref.optional) return '';
  throw new HelError('HEL_SECRET', `${ref.what} is not configured`, { hint: `set one of ${ref.keys.join(', ')}` });
}
