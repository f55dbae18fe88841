import type { ResolvedSource } from '../config/resolved.js';
import { bodyFields, buildRequest } from '../http/request.js';
import type { Paginator } from '../http/pagination/paginator.js';
import type { HttpRequest } from '../http/transport.js';

/**
 * The request that replaces a rejected stored cursor (`on_cursor_error: reset`): the first request
 * again, starting `overlap_secs` before the newest event already delivered. The overlap re-reads a
 * little on purpose; dedupe drops what was already emitted. Without a known event time it is
 * simply the configured first request.
 */
export function cursorResetRequest(source: ResolvedSource, paginator: Paginator, lastEventTime: string | undefined): HttpRequest {
  const lastMs = lastEventTime === undefined ? NaN : Date.parse(lastEventTime);
  if (Number.isNaN(lastMs)) return paginator.first({});
  const { start_param: param, overlap_secs: overlap } = source.cursor_reset;
  const start = new Date(lastMs - overlap * 1000).toISOString();
  if (source.method === 'get') return buildRequest(source, { query: { [param]: start } });
  return buildRequest(source, { body: { ...bodyFields(source), [param]: start } });
}
