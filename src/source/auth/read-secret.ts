import { readFileSync } from 'node:fs';
import { HelError } from '../../errors.js';
import { readStoredSecret } from '../../secrets/store.js';
import type { SecretRef } from './secret-refs.js';

export interface SecretContext {
  env: NodeJS.ProcessEnv;
  /** Path of the encrypted secrets file (global.secrets.path). */
  secretsPath: string;
  keyFile?: string;
}

/**
 * Reads one credential when it is needed, never earlier and never cached by this function.
 * Precedence as in the original: file, then env; then the encrypted secrets store.
 */
export function readSecret(ref: SecretRef, ctx: SecretContext): string {
  if (ref.file !== undefined) {
    try {
      return readFileSync(ref.file, 'utf8').trim();
    } catch (err) {
      throw new HelError('HEL_SECRET', `cannot read ${ref.what} from ${ref.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
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
