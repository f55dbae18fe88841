import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { GlobalConfig } from '../../config/schema.js';
import { HelError } from '../../errors.js';
import { readSecret, type SecretContext } from '../../http/auth/read-secret.js';

export type StateConfig = GlobalConfig['state'];

/** The connection URL from `url` (with `${VAR}` already expanded), `url_file`, `url_env` or `url_secret`. */
export function stateUrl(state: StateConfig, secrets: SecretContext): string {
  if (state.url !== undefined) return state.url;
  return readSecret(
    { env: state.url_env, file: state.url_file, secret: state.url_secret, what: 'state database URL', prefix: 'global.state.url', keys: ['url', 'url_env', 'url_file', 'url_secret'] },
    secrets,
  );
}

/** host:port/database of a connection URL: what logs and errors may show (never the password). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || new URLSearchParams(u.search).get('host') || 'localhost';
    return `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

function readTlsFile(path: string | undefined, key: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HelError('HEL_CONFIG', `cannot read global.state.tls.${key} ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { hint: `check global.state.tls.${key}` });
  }
}

/** A pool of connections; TLS from global.state.tls (a URL's own sslmode works too). */
export function openPool(url: string, tls: StateConfig['tls'], max: number): pg.Pool {
  const ssl =
    tls === undefined
      ? undefined
      : {
          ca: readTlsFile(tls.ca_file, 'ca_file'),
          cert: readTlsFile(tls.cert_file, 'cert_file'),
          key: readTlsFile(tls.key_file, 'key_file'),
          rejectUnauthorized: tls.reject_unauthorized,
          servername: tls.server_name,
        };
  return new pg.Pool({ connectionString: url, ssl, max, application_name: 'hel', connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
}
