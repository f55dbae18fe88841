import type { AuthConfig } from '../../config/schema.js';
import type { HttpTransport } from '../transport.js';
import type { SecretReader } from '../../secrets/resolver.js';
import { secretRefsOf, type SecretRef } from './secret-refs.js';
import { scrubErrorBody, withHeader } from './with-header.js';

export type StaticAuth = Exclude<AuthConfig, { type: 'oauth2' | 'google_service_account' }>;

function refNamed(auth: AuthConfig, prefix: string): SecretRef | undefined {
  return secretRefsOf(auth).find((r) => r.prefix === prefix);
}

/** The header carrying the credential, and the secret values it was built from. */
export function credentialHeader(auth: StaticAuth, secrets: SecretReader): { name: string; value: string; used: string[] } {
  const read = (prefix: string): string => {
    const ref = refNamed(auth, prefix);
    return ref === undefined ? '' : secrets.read(ref);
  };
  switch (auth.type) {
    case 'bearer': {
      const token = read('token');
      return { name: 'authorization', value: auth.prefix === '' ? token : `${auth.prefix} ${token}`, used: [token] };
    }
    case 'basic': {
      const user = read('user');
      const password = read('password');
      const encoded = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
      return { name: 'authorization', value: `Basic ${encoded}`, used: [user, password, encoded] };
    }
    case 'api_key': {
      const key = read('key');
      return { name: auth.header, value: key, used: [key] };
    }
  }
}

/**
 * Bearer, basic and API-key auth. The credential is read on every request (cheap: env, a small
 * file, or the resolver's in-memory view of the store), so a rotated token file or a value changed
 * with `hel secrets set` is picked up without a restart.
 */
export function staticAuthTransport(inner: HttpTransport, auth: StaticAuth, secrets: SecretReader): HttpTransport {
  return {
    async send(request, context) {
      const { name, value, used } = credentialHeader(auth, secrets);
      const response = await inner.send(withHeader(request, name, value), context);
      return scrubErrorBody(response, used);
    },
  };
}
