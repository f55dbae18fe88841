import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parse as parseConnectionString, toClientConfig } from 'pg-connection-string';
import type { GlobalConfig } from '../../config/schema.js';
import { HelError } from '../../errors.js';
import type { SecretReader } from '../../secrets/resolver.js';

export type StateConfig = GlobalConfig['state'];

/** The connection URL from `url` (with `${VAR}` already expanded), `url_file`, `url_env` or `url_secret`. */
export function stateUrl(state: StateConfig, secrets: SecretReader): string {
  if (state.url !== undefined) return state.url;
  return secrets.read({
    env: state.url_env,
    file: state.url_file,
    secret: state.url_secret,
    what: 'state database URL',
    prefix: 'global.state.url',
    keys: ['url', 'url_env', 'url_file', 'url_secret'],
  });
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

/** A certificate or key named by global.state.tls, or a config error naming the key (never the content). */
function readTlsFile(path: string | undefined, key: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HelError('HEL_CONFIG', `cannot read global.state.tls.${key} ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { hint: `check global.state.tls.${key}` });
  }
}

/**
 * The TLS options of global.state.tls for Node's TLS layer, or undefined when the key is absent.
 * Shared by both backends: PostgreSQL and Redis speak TLS the same way.
 */
export function tlsOptions(tls: StateConfig['tls']): { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean; servername?: string } | undefined {
  if (tls === undefined) return undefined;
  const options = {
    ca: readTlsFile(tls.ca_file, 'ca_file'),
    cert: readTlsFile(tls.cert_file, 'cert_file'),
    key: readTlsFile(tls.key_file, 'key_file'),
    rejectUnauthorized: tls.reject_unauthorized,
    servername: tls.server_name,
  };
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new HelError('HEL_CONFIG', 'global.state.tls needs both cert_file and key_file for a client certificate, or neither', { hint: 'set both keys, or remove the one given' });
  }
  return options;
}

/**
 * A pool of connections. TLS comes from the URL (`sslmode`, `sslrootcert`...) and global.state.tls;
 * with both, the keys add to what the URL asks for, so `sslmode=verify-full` with `tls.ca_file`
 * verifies against that CA (pg alone lets the URL's TLS settings replace the keys).
 */
export function openPool(url: string, tls: StateConfig['tls'], max: number): pg.Pool {
  const common = { max, application_name: 'hel', connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 };
  const ours = tlsOptions(tls);
  if (ours === undefined) return new pg.Pool({ connectionString: url, ...common });
  const fromUrl = toClientConfig(parseConnectionString(url));
  if (fromUrl.ssl === false) {
    throw new HelError('HEL_CONFIG', 'global.state.tls is set but global.state.url says sslmode=disable', { hint: 'remove sslmode=disable from the URL, or remove global.state.tls' });
  }
  const defined = Object.fromEntries(Object.entries(ours).filter(([, v]) => v !== undefined));
  const ssl = { ...(typeof fromUrl.ssl === 'object' ? fromUrl.ssl : {}), ...defined };
  return new pg.Pool({ ...fromUrl, ssl, ...common });
}
