import { readFileSync, statSync } from 'node:fs';
import { createHmac, scryptSync } from 'node:crypto';
import { HelError } from '../errors.js';

/** Where the store's key comes from; the same options every store function takes. */
export interface SecretStoreOptions {
  /** Path of the encrypted secrets file. */
  path: string;
  env: NodeJS.ProcessEnv;
  /** A key file named by --key-file or global.secrets.key_file; wins over the environment. */
  keyFile?: string;
}

/** A 32-byte key used as is, or a passphrase that needs the file's salt to become one. */
export type KeyMaterial = { kind: 'raw'; key: Buffer; origin: string } | { kind: 'passphrase'; passphrase: string; origin: string };

const KEY_BYTES = 32;
// N=2^15, r=8 costs 32 MiB and ~100 ms: slow enough for guessing; paid once per version of the file (SecretsFile keeps the key).
export const SCRYPT_PARAMS = { N: 32768, r: 8, p: 1 } as const;
const SCRYPT_MAXMEM = 64 * 1024 * 1024;

const NO_KEY_HINT = 'export HEL_MASTER_KEY (e.g. `openssl rand -hex 32`) or pass --key-file FILE (also global.secrets.key_file, HEL_MASTER_KEY_FILE)';

/**
 * Finds the master key: a key file (--key-file / global.secrets.key_file, then HEL_MASTER_KEY_FILE)
 * wins over HEL_MASTER_KEY. The key text is never part of any message.
 */
export function resolveKeyMaterial(options: SecretStoreOptions): KeyMaterial {
  const keyFile = options.keyFile ?? nonEmpty(options.env.HEL_MASTER_KEY_FILE);
  if (keyFile !== undefined) return readKeyFile(keyFile);
  const fromEnv = options.env.HEL_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return interpretKeyText(fromEnv.trim(), 'HEL_MASTER_KEY');
  throw new HelError('HEL_SECRET', 'no master key for the secrets store', { hint: NO_KEY_HINT });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function readKeyFile(file: string): KeyMaterial {
  let mode: number;
  let bytes: Buffer;
  try {
    mode = statSync(file).mode;
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new HelError('HEL_SECRET', `cannot read key file ${file} (${code})`, { hint: 'check --key-file, global.secrets.key_file or HEL_MASTER_KEY_FILE' });
  }
  // Group/other bits make the key readable by other users; POSIX permissions do not exist on Windows.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new HelError('HEL_SECRET', `key file ${file} is readable by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')})`, {
      hint: `chmod 600 ${file}`,
    });
  }
  const origin = `key file ${file}`;
  if (bytes.length === KEY_BYTES && !isPrintable(bytes)) return { kind: 'raw', key: bytes, origin };
  const text = bytes.toString('utf8').trim();
  if (text === '') throw new HelError('HEL_SECRET', `key file ${file} is empty`, { hint: 'write 64 hex characters or a passphrase into it, e.g. `openssl rand -hex 32 > FILE`' });
  return interpretKeyText(text, origin);
}

function isPrintable(bytes: Buffer): boolean {
  return bytes.every((b) => b >= 0x20 && b < 0x7f);
}

/** 64 hex characters or base64 of 32 bytes are a key; anything else is a passphrase. */
export function interpretKeyText(text: string, origin: string): KeyMaterial {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return { kind: 'raw', key: Buffer.from(text, 'hex'), origin };
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const decoded = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (decoded.length === KEY_BYTES) return { kind: 'raw', key: decoded, origin };
  }
  return { kind: 'passphrase', passphrase: text, origin };
}

/** The AES key for one file: raw keys are used directly, passphrases go through scrypt with the file's salt. */
export function deriveKey(material: KeyMaterial, salt: Buffer): Buffer {
  if (material.kind === 'raw') return material.key;
  return scryptSync(material.passphrase, salt, KEY_BYTES, { ...SCRYPT_PARAMS, maxmem: SCRYPT_MAXMEM });
}

/**
 * A fingerprint of the key, salted per file, so a wrong key can be told apart from a damaged
 * file (GCM alone reports both as the same authentication failure).
 */
export function keyCheck(key: Buffer, salt: Buffer): Buffer {
  return createHmac('sha256', key).update('hel-secrets key check\0').update(salt).digest().subarray(0, 16);
}
