import type { HttpRequest, HttpResponse, HttpTransport, RequestContext } from '../transport.js';
import type { DpopProofs } from './dpop.js';
import type { AccessToken, OAuth2Tokens } from './oauth2-tokens.js';
import { scrubErrorBody, withHeader } from './with-header.js';

/**
 * Sends with a cached access token; on a 401 the token is dropped, renewed, and the request sent
 * once more. A DPoP-bound token goes with a fresh proof per request; a 401 asking for a DPoP nonce
 * is answered once with the nonce, before the token is blamed.
 */
export function oauth2Transport(inner: HttpTransport, tokens: OAuth2Tokens, dpop?: DpopProofs): HttpTransport {
  const sendWith = async (request: HttpRequest, context: RequestContext, token: AccessToken): Promise<HttpResponse> => {
    let signed = withHeader(request, 'authorization', `${token.scheme} ${token.value}`);
    if (dpop !== undefined) signed = withHeader(signed, 'dpop', await dpop.proof(request.method, request.url, token.value));
    const response = await inner.send(signed, context);
    if (dpop?.learn(request.url, response) === true) return sendWith(request, context, token);
    return response;
  };
  return {
    async send(request, context) {
      const token = await tokens.get(context);
      const first = await sendWith(request, context, token);
      if (first.status !== 401) return scrubErrorBody(first, [...tokens.seen]);
      tokens.invalidate(token);
      const second = await sendWith(request, context, await tokens.get(context));
      return scrubErrorBody(second, [...tokens.seen]);
    },
  };
}
