import { systemClock, type Clock } from '../../clock.js';
import type { AuthConfig } from '../../config/schema.js';
import type { Advisor } from '../failure.js';
import type { HttpTransport } from '../transport.js';
import { DpopProofs } from './dpop.js';
import { oauth2Transport } from './oauth2.js';
import { OAuth2Tokens } from './oauth2-tokens.js';
import type { SecretReader } from '../../secrets/resolver.js';
import { staticAuthTransport } from './static-auth.js';
import { clientGrant, serviceAccountGrant } from './token-grants.js';

export interface AuthTransportOptions {
  /** Decides when a cached OAuth2 token needs renewing, and dates assertions and proofs. */
  clock?: Clock;
  /** Carries OAuth2 token requests; defaults to `inner`. compose.ts passes the bare base transport. */
  tokenTransport?: HttpTransport;
  /** The source's integration's hints, for a refused token request. */
  advise?: Advisor;
}

/** Adds the source's credentials to every request; no auth block = requests pass unchanged. */
export function authTransport(inner: HttpTransport, auth: AuthConfig | undefined, secrets: SecretReader, options: AuthTransportOptions = {}): HttpTransport {
  if (auth === undefined) return inner;
  const clock = options.clock ?? systemClock;
  const tokenTransport = options.tokenTransport ?? inner;
  switch (auth.type) {
    case 'oauth2': {
      const dpop = auth.dpop ? new DpopProofs(clock) : undefined;
      const tokens = new OAuth2Tokens(clientGrant(auth, secrets, clock), clock, tokenTransport, { dpop, advise: options.advise });
      return oauth2Transport(inner, tokens, dpop);
    }
    case 'google_service_account':
      return oauth2Transport(inner, new OAuth2Tokens(serviceAccountGrant(auth, secrets, clock), clock, tokenTransport, { advise: options.advise }));
    default:
      return staticAuthTransport(inner, auth, secrets);
  }
}
