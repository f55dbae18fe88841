import type { AuthConfig } from './schema.js';

/** Where one credential of an auth block comes from: an env variable, a file, or the secrets store. */
export interface SecretRef {
  /** Human name, e.g. "bearer token". */
  what: string;
  /** Key prefix in hel.yaml, e.g. "token" for token_env/token_file/token_secret. */
  prefix: string;
  keys: string[];
  env?: string;
  file?: string;
  secret?: string;
  /** A credential that may legitimately be empty (Tailscale-style basic auth password). */
  optional?: boolean;
}

/** The reference `<prefix>_env|_file|_secret` of `block`. */
export function ref(what: string, prefix: string, block: Record<string, unknown>, optional = false): SecretRef {
  return {
    what,
    prefix,
    keys: [`${prefix}_env`, `${prefix}_file`, `${prefix}_secret`],
    env: block[`${prefix}_env`] as string | undefined,
    file: block[`${prefix}_file`] as string | undefined,
    secret: block[`${prefix}_secret`] as string | undefined,
    optional,
  };
}

/** Every credential an auth block needs, in the order they are used. */
export function secretRefsOf(auth: AuthConfig): SecretRef[] {
  const block = auth as unknown as Record<string, unknown>;
  switch (auth.type) {
    case 'bearer':
      return [ref('bearer token', 'token', block)];
    case 'basic':
      return [ref('basic auth user', 'user', block), ref('basic auth password', 'password', block, true)].filter(
        (r) => !(r.optional && r.env === undefined && r.file === undefined && r.secret === undefined),
      );
    case 'api_key':
      return [ref('API key', 'key', block)];
    case 'oauth2': {
      const key = ref('OAuth2 client private key (PEM)', 'client_private_key', block);
      const refs = [ref('OAuth2 client id', 'client_id', block), isSet(key) ? key : ref('OAuth2 client secret', 'client_secret', block)];
      const refresh = ref('OAuth2 refresh token', 'refresh_token', block);
      if (isSet(refresh)) refs.push(refresh);
      return refs;
    }
    case 'google_service_account': {
      const subject = ref('delegated user (subject)', 'subject', block);
      return [ref('service account JSON key', 'credentials', block), ...(isSet(subject) ? [subject] : [])];
    }
  }
}

function isSet(r: SecretRef): boolean {
  return r.env !== undefined || r.file !== undefined || r.secret !== undefined;
}
