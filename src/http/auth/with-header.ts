import type { HttpRequest, HttpResponse } from '../transport.js';

/** A copy of the request with one header set, replacing any configured header of the same name. */
export function withHeader(request: HttpRequest, name: string, value: string): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [key, existing] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== name.toLowerCase()) headers[key] = existing;
  }
  headers[name] = value;
  return { ...request, headers };
}

/**
 * Error bodies end up in error messages; a server that echoes the request there must not leak
 * the credential, so every non-empty secret in a non-2xx body is replaced.
 */
export function scrubErrorBody(response: HttpResponse, secrets: readonly string[]): HttpResponse {
  if (response.status >= 200 && response.status <= 299) return response;
  let text = response.body.toString('utf8');
  let changed = false;
  for (const secret of secrets) {
    if (secret !== '' && text.includes(secret)) {
      text = text.split(secret).join('REDACTED');
      changed = true;
    }
  }
  return changed ? { ...response, body: Buffer.from(text, 'utf8') } : response;
}
