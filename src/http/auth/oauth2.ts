import type { HttpTransport } from '../transport.js';
import type { OAuth2Tokens } from './oauth2-tokens.js';
import { scrubErrorBody, withHeader } from './with-header.js';

/** Sends with a cached access token; on a 401 the token is dropped, renewed, and the request sent once more. */
export function oauth2Transport(inner: HttpTransport, tokens: OAuth2Tokens): HttpTransport {
  return {
    async send(request, context) {
      const token = await tokens.get(context);
      const first = await inner.send(withHeader(request, 'authorization', `Bearer ${token}`), context);
      if (first.status !== 401) return scrubErrorBody(first, [...tokens.seen]);
      tokens.invalidate(token);
      const renewed = await tokens.get(context);
      const second = await inner.send(withHeader(request, 'authorization', `Bearer ${renewed}`), context);
      return scrubErrorBody(second, [...tokens.seen]);
    },
  };
}
