import { parseConfig } from '../../src/config/load.js';
import type { ResolvedSource } from '../../src/config/resolved.js';
import type { PageResult } from '../../src/http/pagination/paginator.js';
import type { HttpRequest } from '../../src/http/transport.js';

/** A source as `hel run` resolves it from `keys` (url, method, body, pagination, …), named `s`. */
export function resolvedSource(keys: Record<string, unknown>): ResolvedSource {
  const config = parseConfig(JSON.stringify({ sources: { s: { url: 'https://api.example.com/events', ...keys } } }), 'hel.yaml', { env: {} });
  return config.sources[0]!;
}

/**
 * The page a paginator reads after `request` was answered with `body`: 1-based `index`, the
 * events (default: the body's `items`, else the body when it is a list), response headers.
 */
export function pageOf(request: HttpRequest, body: unknown, options: { index?: number; events?: unknown[]; headers?: Record<string, string>; url?: string; status?: number } = {}): PageResult {
  const items = (body as { items?: unknown } | null)?.items;
  const events = options.events ?? (Array.isArray(items) ? items : Array.isArray(body) ? body : []);
  return {
    request,
    response: { status: options.status ?? 200, headers: options.headers ?? {}, body: Buffer.from(JSON.stringify(body)), url: options.url ?? request.url, parsed: body },
    body,
    events,
    index: options.index ?? 1,
  };
}

/** The request's query parameters. */
export const queryOf = (request: HttpRequest): Record<string, string> => Object.fromEntries(new URL(request.url).searchParams);

/** The request's JSON body. */
export const bodyOf = (request: HttpRequest): unknown => JSON.parse(request.body ?? 'null');
