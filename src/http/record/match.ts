import type { HttpRequest } from '../transport.js';
import { REDACTED, encodeBody, headerValue, type RecordedRequest } from './format.js';

/**
 * Whether a live request is the one a recording answered: same method, same path and query
 * (scheme, host and port are ignored, so absolute next-page links of the live API still match),
 * and the same body (compared parsed when it is JSON). A redacted part of a recording matches
 * any value, since the live value was never written down. `ignoredParams` are the parameters a
 * source's watermark or time window sets from the clock or the state (see source/watermark.ts).
 */
export function requestMatches(recorded: RecordedRequest, live: HttpRequest, ignoredParams: ReadonlySet<string> = new Set()): boolean {
  return recorded.method === live.method && sameTarget(recorded.url, live.url, ignoredParams) && sameBody(recorded, live);
}

function sameTarget(recordedUrl: string, liveUrl: string, ignored: ReadonlySet<string>): boolean {
  let recorded: URL;
  let live: URL;
  try {
    recorded = new URL(recordedUrl);
    live = new URL(liveUrl);
  } catch {
    return false;
  }
  if (!textMatches(recorded.pathname, live.pathname)) return false;
  const a = sortedParams(recorded.searchParams).filter(([key]) => !ignored.has(key));
  const b = sortedParams(live.searchParams).filter(([key]) => !ignored.has(key));
  return a.length === b.length && a.every(([key, value], i) => key === b[i]![0] && textMatches(value, b[i]![1]));
}

function sortedParams(params: URLSearchParams): [string, string][] {
  return [...params.entries()].sort(([ka, va], [kb, vb]) => (ka === kb ? compare(va, vb) : compare(ka, kb)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameBody(recorded: RecordedRequest, live: HttpRequest): boolean {
  const liveBody = encodeBody(live.body === undefined ? undefined : Buffer.from(live.body, 'utf8'), headerValue(live.headers, 'content-type'));
  if (recorded.bodyEncoding === 'none' || liveBody.bodyEncoding === 'none') {
    return isEmpty(recorded.bodyEncoding, recorded.body) && isEmpty(liveBody.bodyEncoding, liveBody.body);
  }
  if (recorded.bodyEncoding !== liveBody.bodyEncoding) return false;
  return valueMatches(recorded.body, liveBody.body);
}

function isEmpty(encoding: string, body: unknown): boolean {
  return encoding === 'none' || body === '';
}

function valueMatches(recorded: unknown, live: unknown): boolean {
  if (typeof recorded === 'string') return typeof live === 'string' && textMatches(recorded, live);
  if (Array.isArray(recorded)) {
    return Array.isArray(live) && recorded.length === live.length && recorded.every((item, i) => valueMatches(item, live[i]));
  }
  if (recorded !== null && typeof recorded === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const a = Object.keys(recorded).sort();
    const b = Object.keys(live).sort();
    const r = recorded as Record<string, unknown>;
    const l = live as Record<string, unknown>;
    return a.length === b.length && a.every((key, i) => key === b[i] && valueMatches(r[key], l[key]));
  }
  return recorded === live;
}

function textMatches(recorded: string, live: string): boolean {
  if (!recorded.includes(REDACTED)) return recorded === live;
  const pattern = recorded.split(REDACTED).map(escapeRegExp).join('[\\s\\S]*?');
  return new RegExp(`^${pattern}$`).test(live);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
