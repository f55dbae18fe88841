import { systemClock, type Clock } from '../../clock.js';
import type { AuthConfig } from '../../config/schema.js';
import type { HttpTransport } from '../transport.js';
import { oauth2Transport } from './oauth2.js';
import { OAuth2Tokens } from './oauth2-tokens.js';
import type { SecretContext } from './read-secret.js';
import { staticAuthTransport } from './static-auth.js';

export interface AuthTransportOptions {
  /** Decides when a cached OAuth2 token needs renewing. */
  clock?: Clock;
  /** Carries OAuth2 token requests; defaults to `inner`. compose.ts passes the bare base transport. */
  tokenTransport?: HttpTransport;
}

/** Adds the source's credentials to every request; no auth block = requests pass unchanged. */
export function authTransport(
  inner: HttpTransport,
  auth: AuthConfig | undefined,
  secrets: SecretContext,
  options: AuthTransportOptions = {},
): HttpTransport {
  if (auth === undefined) return inner;
  if (auth.type !== 'oauth2') return staticAuthTransport(inner, auth, secrets);
  const tokens = new OAuth2Tokens(auth, secrets, options.clock ?? systemClock, options.tokenTransport ?? inner);
  return oauth2Transport(inner, tokens);
}
