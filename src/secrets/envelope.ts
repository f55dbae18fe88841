import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { HelError } from '../errors.js';
import { deriveKey, keyCheck, SCRYPT_PARAMS, type KeyMaterial } from './master-key.js';

/** One stored value with the metadata `hel secrets list` shows. */
export interface StoredSecret {
  value: string;
  created_at: string;
  updated_at: string;
  /** For JWTs (1Password Events tokens): the `exp` claim as ISO time. */
  expires_at?: string;
}

export interface SecretsPayload {
  secrets: Record<string, StoredSecret>;
}

/**
 * On-disk layout: a JSON object whose header (format, kdf, salt, key check) is authenticated as
 * GCM additional data and whose `data` is the encrypted payload. Names, dates and values are all
 * inside `data`, so the file reveals nothing but its size.
 */
interface SecretsFileHeader {
  hel_secrets: 1;
  kdf: 'scrypt' | 'none';
  scrypt?: { N: number; r: number; p: number };
  salt: string;
  check: string;
}

interface SecretsFile extends SecretsFileHeader {
  iv: string;
  tag: string;
  data: string;
}

const IV_BYTES = 12;
const SALT_BYTES = 16;

function headerBytes(h: SecretsFileHeader): Buffer {
  const canonical = { hel_secrets: h.hel_secrets, kdf: h.kdf, scrypt: h.scrypt ?? null, salt: h.salt, check: h.check };
  return Buffer.from(JSON.stringify(canonical), 'utf8');
}

/** Encrypts the payload with a fresh salt and IV; the result is the whole file's text. */
export function sealSecrets(payload: SecretsPayload, material: KeyMaterial): string {
  const salt = randomBytes(SALT_BYTES);
  const key = deriveKey(material, salt);
  const header: SecretsFileHeader = {
    hel_secrets: 1,
    kdf: material.kind === 'passphrase' ? 'scrypt' : 'none',
    ...(material.kind === 'passphrase' ? { scrypt: { ...SCRYPT_PARAMS } } : {}),
    salt: salt.toString('base64'),
    check: keyCheck(key, salt).toString('base64'),
  };
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(headerBytes(header));
  const data = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  const file: SecretsFile = { ...header, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return JSON.stringify(file) + '\n';
}

/**
 * Decrypts a secrets file's text; tells a wrong key apart from a modified file. `derive` turns the
 * key material and the file's salt into the AES key (SecretsFile passes one that caches scrypt).
 */
export function openSecrets(text: string, material: KeyMaterial, path: string, derive: (material: KeyMaterial, salt: Buffer) => Buffer): SecretsPayload {
  const file = parseFile(text, path);
  const salt = Buffer.from(file.salt, 'base64');
  const wrongKey = (why: string) =>
    new HelError('HEL_SECRET', `cannot decrypt ${path}: wrong HEL_MASTER_KEY? (${why})`, {
      hint: 'use the key (or key file) the secrets file was written with; without it the values cannot be recovered',
    });
  if ((file.kdf === 'scrypt') !== (material.kind === 'passphrase')) {
    const expected = file.kdf === 'scrypt' ? 'a passphrase' : 'a 32-byte key (64 hex or base64)';
    throw wrongKey(`the file was written with ${expected}, but ${material.origin} is not one`);
  }
  const key = derive(material, salt);
  const expectedCheck = Buffer.from(file.check, 'base64');
  const actualCheck = keyCheck(key, salt);
  if (expectedCheck.length !== actualCheck.length || !timingSafeEqual(expectedCheck, actualCheck)) {
    throw wrongKey(`${material.origin} does not match the key the file was written with`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.iv, 'base64'));
    decipher.setAAD(headerBytes(file));
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]).toString('utf8');
    return validatePayload(JSON.parse(plain), path);
  } catch (err) {
    if (err instanceof HelError) throw err;
    throw tampered(path, 'authentication failed');
  }
}

function tampered(path: string, why: string): HelError {
  return new HelError('HEL_SECRET', `cannot decrypt ${path}: the file was modified or is damaged (${why})`, {
    hint: 'restore the secrets file from a backup, or delete it and store the values again with hel secrets set',
  });
}

function parseFile(text: string, path: string): SecretsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw tampered(path, 'not valid JSON');
  }
  const f = parsed as Partial<SecretsFile> | null;
  const strings = ['salt', 'check', 'iv', 'tag', 'data'] as const;
  if (f === null || typeof f !== 'object' || f.hel_secrets !== 1 || (f.kdf !== 'scrypt' && f.kdf !== 'none') || !strings.every((k) => typeof f[k] === 'string')) {
    throw tampered(path, 'not a Hel secrets file, or written by a newer Hel');
  }
  if (f.kdf === 'scrypt' && (f.scrypt?.N !== SCRYPT_PARAMS.N || f.scrypt.r !== SCRYPT_PARAMS.r || f.scrypt.p !== SCRYPT_PARAMS.p)) {
    throw tampered(path, 'unexpected scrypt parameters');
  }
  return f as SecretsFile;
}

function validatePayload(value: unknown, path: string): SecretsPayload {
  const secrets = (value as { secrets?: unknown } | null)?.secrets;
  if (secrets === null || typeof secrets !== 'object' || Array.isArray(secrets)) throw tampered(path, 'unexpected content');
  return { secrets: secrets as Record<string, StoredSecret> };
}
