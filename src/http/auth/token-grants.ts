import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../../clock.js';
import type { AuthConfig } from '../../config/schema.js';
import { HelError } from '../../errors.js';
import type { SecretReader } from '../../secrets/resolver.js';
import { secretRefsOf } from '../../config/secret-refs.js';
import { signingKey } from './signing-key.js';

export type OAuth2Auth = Extract<AuthConfig, { type: 'oauth2' }>;
export type ServiceAccountAuth = Extract<AuthConfig, { type: 'google_service_account' }>;

/** One token request: where it goes and its form; every credential read goes into `seen` (to scrub error bodies). */
export interface TokenGrant {
  request(seen: Set<string>): Promise<{ url: string; form: URLSearchParams }>;
  /** The token endpoint's answer, for grants that keep something from it (a rotated refresh token). */
  accepted?(body: Record<string, unknown>, seen: Set<string>): void;
  /** What to check when the token endpoint refuses. */
  readonly hint: string;
}

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google signs service-account grants for at most an hour; a client assertion needs only minutes. */
const SERVICE_ACCOUNT_ASSERTION_SECS = 3600;
const CLIENT_ASSERTION_SECS = 300;
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

function reader(auth: AuthConfig, secrets: SecretReader, seen: Set<string>) {
  const refs = secretRefsOf(auth);
  return (prefix: string): string | undefined => {
    const ref = refs.find((r) => r.prefix === prefix);
    if (ref === undefined) return undefined;
    const value = secrets.read(ref);
    seen.add(value);
    return value;
  };
}

/**
 * client_credentials, or refresh_token when one is configured; the client authenticates with its
 * secret, or with private_key_jwt (RFC 7523 §2.2) when a private key is configured.
 */
export function clientGrant(auth: OAuth2Auth, secrets: SecretReader, clock: Clock): TokenGrant {
  /** A refresh token the server rotated; it replaces the configured one for this process. */
  let rotated: string | undefined;
  const usesKey = secretRefsOf(auth).some((r) => r.prefix === 'client_private_key');
  return {
    hint: usesKey
      ? 'check the client id, that the public key of client_private_key is registered for the client (client authentication by public key / private key), the scopes and token_url'
      : 'check the client id, client secret, scopes and token_url (a refresh token may be expired or already used)',
    async request(seen) {
      const read = reader(auth, secrets, seen);
      const form = new URLSearchParams();
      const refresh = rotated ?? read('refresh_token');
      if (refresh !== undefined) {
        form.set('grant_type', 'refresh_token');
        form.set('refresh_token', refresh);
      } else {
        form.set('grant_type', 'client_credentials');
      }
      const clientId = read('client_id') ?? '';
      form.set('client_id', clientId);
      if (usesKey) {
        const { key, alg } = signingKey(read('client_private_key') ?? '', 'OAuth2 client private key');
        const now = Math.floor(clock.now() / 1000);
        const assertion = await new SignJWT({})
          .setProtectedHeader({ alg, typ: 'JWT' })
          .setIssuer(clientId)
          .setSubject(clientId)
          .setAudience(auth.token_url)
          .setJti(randomUUID())
          .setIssuedAt(now)
          .setExpirationTime(now + CLIENT_ASSERTION_SECS)
          .sign(key);
        form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
        form.set('client_assertion', assertion);
      } else {
        form.set('client_secret', read('client_secret') ?? '');
      }
      if (auth.scopes !== undefined && auth.scopes.length > 0) form.set('scope', auth.scopes.join(' '));
      return { url: auth.token_url, form };
    },
    accepted(body, seen) {
      if (typeof body.refresh_token === 'string' && body.refresh_token !== '') {
        rotated = body.refresh_token;
        seen.add(rotated);
      }
    },
  };
}

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

function parseKey(text: string): ServiceAccountKey {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HelError('HEL_AUTH', 'the service account credentials are not JSON', { hint: 'use the JSON key file as downloaded from the Cloud console (Service account > Keys > Add key > JSON)' });
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const missing = ['client_email', 'private_key'].filter((k) => typeof o[k] !== 'string' || o[k] === '');
  if (missing.length > 0) {
    throw new HelError('HEL_AUTH', `the service account credentials miss ${missing.join(' and ')}`, {
      hint: 'use a service account JSON key ("type": "service_account"), not an OAuth client secret file',
    });
  }
  return {
    client_email: o.client_email as string,
    private_key: o.private_key as string,
    ...(typeof o.private_key_id === 'string' ? { private_key_id: o.private_key_id } : {}),
    token_uri: typeof o.token_uri === 'string' && o.token_uri !== '' ? o.token_uri : GOOGLE_TOKEN_URI,
  };
}

/**
 * A Google service account: its JSON key signs a JWT-bearer grant (RFC 7523 §2.1) for `scopes`,
 * acting for `subject` when one is set (domain-wide delegation), sent to the key's token_uri.
 */
export function serviceAccountGrant(auth: ServiceAccountAuth, secrets: SecretReader, clock: Clock): TokenGrant {
  return {
    hint: "check the service account key (not deleted), the subject (a user of the domain), and that domain-wide delegation grants these scopes to the service account's client ID",
    async request(seen) {
      const read = reader(auth, secrets, seen);
      const credentials = parseKey(read('credentials') ?? '');
      seen.add(credentials.private_key);
      const subject = read('subject');
      const { key, alg } = signingKey(credentials.private_key, 'service account private_key');
      const now = Math.floor(clock.now() / 1000);
      let jwt = new SignJWT({ scope: auth.scopes.join(' ') })
        .setProtectedHeader({ alg, typ: 'JWT', ...(credentials.private_key_id === undefined ? {} : { kid: credentials.private_key_id }) })
        .setIssuer(credentials.client_email)
        .setAudience(credentials.token_uri)
        .setIssuedAt(now)
        .setExpirationTime(now + SERVICE_ACCOUNT_ASSERTION_SECS);
      if (subject !== undefined && subject !== '') jwt = jwt.setSubject(subject);
      const assertion = await jwt.sign(key);
      seen.add(assertion);
      return { url: credentials.token_uri, form: new URLSearchParams({ grant_type: JWT_BEARER, assertion }) };
    },
  };
}
