import { X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates, type ConnectionOptions } from 'node:tls';
import type { TlsConfig } from '../config/schema.js';
import { HelError } from '../errors.js';
import { BoundedReadError, readBoundedFile } from '../read-bounded.js';

/** A PEM file is a certificate, a key or a CA bundle; a system bundle is about 200 KiB. */
const MAX_PEM_BYTES = 4 * 1024 * 1024;

/** The TLS options Hel gives every connection of a source (undici's `connect` and a proxy's `requestTls`). */
export type TlsOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'minVersion'>;

interface PemRef {
  /** e.g. "ca", for the key names ca_file / ca_env. */
  prefix: string;
  what: string;
  file?: string;
  env?: string;
}

/** File wins over env, as in the Rust Hel. Undefined when neither is set. */
function readPem(ref: PemRef, env: NodeJS.ProcessEnv, source: string): string | undefined {
  if (ref.file !== undefined) {
    try {
      return readBoundedFile(ref.file, MAX_PEM_BYTES).toString('utf8');
    } catch (err) {
      const why = err instanceof BoundedReadError ? err.message : String(err);
      throw new HelError('HEL_CONFIG', `cannot read the ${ref.what} from ${ref.file}: it ${why}`, { source, hint: `check resilience.tls.${ref.prefix}_file` });
    }
  }
  if (ref.env === undefined) return undefined;
  const value = env[ref.env];
  if (value === undefined || value.trim() === '') {
    throw new HelError('HEL_CONFIG', `${ref.env} is ${value === undefined ? 'not set' : 'empty'}`, {
      source,
      hint: `export ${ref.env} with the ${ref.what} (PEM), or set resilience.tls.${ref.prefix}_file`,
    });
  }
  return value;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** OpenSSL skips what is not a certificate in a CA list without a word; a CA that trusts nothing is an error here. */
function checkCertificates(pem: string, key: string, source: string): void {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  const bad = blocks.findIndex((block) => {
    try {
      new X509Certificate(block);
      return false;
    } catch {
      return true;
    }
  });
  if (blocks.length === 0 || bad >= 0) {
    throw new HelError('HEL_CONFIG', `resilience.tls.${key} ${blocks.length === 0 ? 'holds no PEM certificate' : `holds a certificate that cannot be read (number ${bad + 1})`}`, {
      source,
      hint: 'give the CA certificate (or bundle) in PEM form: -----BEGIN CERTIFICATE----- … (docs/tls.md)',
    });
  }
}

/**
 * Reads the CA, client certificate and key of `resilience.tls` and checks them once, at startup:
 * a bad PEM or a key that does not match its certificate is a clear HEL_CONFIG error here instead
 * of a handshake failure on every poll. Without `ca_only` the custom CA is added to Node's bundled
 * roots; with it, only the custom CA is trusted.
 */
export function tlsOptions(config: TlsConfig, env: NodeJS.ProcessEnv, source: string): TlsOptions {
  const ca = readPem({ prefix: 'ca', what: 'CA certificate', file: config.ca_file, env: config.ca_env }, env, source);
  const cert = readPem({ prefix: 'client_cert', what: 'client certificate', file: config.client_cert_file, env: config.client_cert_env }, env, source);
  const key = readPem({ prefix: 'client_key', what: 'client private key', file: config.client_key_file, env: config.client_key_env }, env, source);
  if (ca !== undefined) checkCertificates(ca, config.ca_file === undefined ? 'ca_env' : 'ca_file', source);
  const options: TlsOptions = {
    ...(ca === undefined ? {} : { ca: config.ca_only ? [ca] : [...rootCertificates, ca] }),
    ...(cert === undefined ? {} : { cert, key }),
    ...(config.min_version === undefined ? {} : { minVersion: config.min_version === '1.3' ? 'TLSv1.3' : 'TLSv1.2' }),
  };
  try {
    createSecureContext(options);
  } catch (err) {
    // OpenSSL's reason only (e.g. "key values mismatch"): never any of the PEM text.
    const reason = err instanceof Error ? err.message.replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/i, '') : String(err);
    throw new HelError('HEL_CONFIG', `resilience.tls is not usable: ${reason}`, {
      source,
      hint: "ca_*, client_cert_* and client_key_* must be PEM, and the key must be the certificate's (docs/tls.md)",
    });
  }
  return options;
}
