import type { HelError } from '../errors.js';
import type { HttpRequest } from '../http/transport.js';
import type { HookAuth, HookNextPage, HookRequest } from './shapes.js';

type Fail = (message: string) => HelError;

/** Sets a header, replacing any spelling of the same name (HTTP names are case-insensitive). */
function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  headers[name] = value;
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/**
 * buildRequest's result over the request the source's pagination made. On a poll's first page
 * it wins: url, query, headers and body. On later pages the pagination's url and body win (they
 * carry the position), buildRequest's headers still apply and its query adds only parameters the
 * page's URL does not already have.
 */
export function withBuiltRequest(request: HttpRequest, built: HookRequest, firstPage: boolean, fail: Fail): HttpRequest {
  const headers = { ...request.headers };
  for (const [k, v] of Object.entries(built.headers ?? {})) setHeader(headers, k, v);
  const url = new URL(firstPage && built.url !== undefined ? built.url : request.url);
  for (const [k, v] of Object.entries(built.query ?? {})) if (firstPage || !url.searchParams.has(k)) url.searchParams.set(k, v);
  let body = request.body;
  if (firstPage && built.body !== undefined) {
    if (request.method === 'GET') throw fail('a body for a GET source; set method: post on the source');
    body = bodyText(built.body);
  }
  return { ...request, url: url.toString(), headers, body };
}

/** getAuth's credentials on a request: headers, a cookie (added to any Cookie header), query parameters, body fields. */
export function withAuth(request: HttpRequest, auth: HookAuth, fail: Fail): HttpRequest {
  const headers = { ...request.headers };
  for (const [k, v] of Object.entries(auth.headers ?? {})) setHeader(headers, k, v);
  if (auth.cookie !== undefined) {
    const existing = headerValue(headers, 'cookie');
    setHeader(headers, 'Cookie', existing ? `${existing}; ${auth.cookie}` : auth.cookie);
  }
  const url = new URL(request.url);
  for (const [k, v] of Object.entries(auth.query ?? {})) url.searchParams.set(k, v);
  let body = request.body;
  if (auth.body !== undefined) {
    let current: unknown;
    try {
      current = request.method === 'POST' ? JSON.parse(request.body ?? '{}') : undefined;
    } catch {
      current = undefined;
    }
    if (current === null || typeof current !== 'object' || Array.isArray(current)) throw fail('a body, but the request has no JSON object body to merge it into (method: post with an object body)');
    body = JSON.stringify({ ...current, ...auth.body });
  }
  return { ...request, url: url.toString(), headers, body };
}

/** The request getNextPage asks for: the one just sent, with its url and/or body replaced. */
export function withNextPage(sent: HttpRequest, next: HookNextPage): HttpRequest {
  return { ...sent, url: next.url ?? sent.url, body: next.body === undefined ? sent.body : bodyText(next.body) };
}
