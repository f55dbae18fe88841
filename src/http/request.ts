import type { ResolvedSource } from '../config/resolved.js';
import type { HttpRequest } from './transport.js';

/** Adds query parameters to a URL, keeping any already there. */
function withQuery(url: string, params: Record<string, string | number | boolean>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return url;
  const u = new URL(url);
  for (const [k, v] of entries) u.searchParams.set(k, String(v));
  return u.toString();
}

/** The configured body's fields when it is a JSON object (what cursors and page numbers are merged into), else none. */
export function bodyFields(source: Pick<ResolvedSource, 'body'>): Record<string, unknown> {
  const body = source.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
}

/**
 * The first request of a poll as configured: URL with query_params, headers, and for POST the
 * JSON body (`{}` when none is set; any JSON value, a list too). `options.body` replaces it (a
 * cursor continuation). With GET no body is sent, as in the Rust Hel; `hel validate` warns about one.
 */
export function buildRequest(source: ResolvedSource, options: { url?: string; query?: Record<string, string | number | boolean>; body?: unknown } = {}): HttpRequest {
  const headers: Record<string, string> = { ...source.headers };
  const url = withQuery(options.url ?? withQuery(source.url, source.query_params), options.query ?? {});
  if (source.method === 'get') return { method: 'GET', url, headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return { method: 'POST', url, headers, body: JSON.stringify(options.body ?? source.body ?? {}) };
}
