import { HelError } from '../errors.js';
import type { HookName } from './sandbox/protocol.js';

/** What getAuth may return: concrete credentials merged into each request. */
export interface HookAuth {
  headers?: Record<string, string>;
  cookie?: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
}

/** What buildRequest may return. */
export interface HookRequest {
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** A string is sent as is; any other JSON value is serialised. */
  body?: unknown;
}

/** What getNextPage may return. */
export interface HookNextPage {
  url?: string;
  body?: unknown;
}

export interface HookItem {
  ts?: string;
  event: unknown;
  meta?: Record<string, unknown>;
}

/** State keys Hel itself keeps for every source: commitState may read them, never write them. */
const RESERVED_STATE_KEYS: ReadonlySet<string> = new Set(['events_total', 'last_event_time', 'last_success_at', 'last_error', 'last_error_at', 'output_position', 'breaker']);
const MAX_STATE_KEYS = 100;
const MAX_STATE_BYTES = 64 * 1024;

type Fail = (message: string) => HelError;

/** A HEL_HOOK error for a return value of the wrong shape, naming the hook and what it should return. */
export function shapeError(source: string, hook: HookName, filename: string): Fail {
  return (message) => new HelError('HEL_HOOK', `hook ${hook} of ${filename} returned ${message}`, { source, hint: 'see docs/hooks.md for what each hook returns' });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function stringMap(value: unknown, key: string, fail: Fail): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw fail(`a ${key} that is not an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'object') throw fail(`${key}.${k} as an object; ${key} values are strings`);
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], fail: Fail): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw fail(`unknown key ${extra.map((k) => JSON.stringify(k)).join(', ')} (expected ${allowed.join(', ')})`);
}

function url(value: unknown, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value) || !URL.canParse(value))
    throw fail(`url ${typeof value === 'string' ? JSON.stringify(value).slice(0, 200) : `of type ${typeof value}`}, which is not an absolute http(s) URL`);
  return value;
}

export function authShape(value: unknown, fail: Fail): HookAuth | null {
  if (value === null) return null;
  if (!isObject(value)) throw fail('something other than null or {headers?, cookie?, body?, query?}');
  onlyKeys(value, ['headers', 'cookie', 'body', 'query'], fail);
  if (value.cookie !== undefined && value.cookie !== null && typeof value.cookie !== 'string') throw fail('a cookie that is not a string');
  if (value.body !== undefined && value.body !== null && !isObject(value.body)) throw fail('a body that is not an object (its keys are merged into the JSON body)');
  return {
    headers: stringMap(value.headers, 'headers', fail),
    cookie: typeof value.cookie === 'string' && value.cookie !== '' ? value.cookie : undefined,
    query: stringMap(value.query, 'query', fail),
    body: isObject(value.body) ? value.body : undefined,
  };
}

export function requestShape(value: unknown, fail: Fail): HookRequest | null {
  if (value === null) return null;
  if (!isObject(value)) throw fail('something other than null or {url?, headers?, query?, body?}');
  onlyKeys(value, ['url', 'headers', 'query', 'body'], fail);
  return { url: url(value.url, fail), headers: stringMap(value.headers, 'headers', fail), query: stringMap(value.query, 'query', fail), body: value.body ?? undefined };
}

export function nextPageShape(value: unknown, fail: Fail): HookNextPage | null {
  if (value === null) return null;
  if (!isObject(value)) throw fail('something other than null or {url?, body?}');
  onlyKeys(value, ['url', 'body'], fail);
  const next = { url: url(value.url, fail), body: value.body ?? undefined };
  if (next.url === undefined && next.body === undefined) throw fail('neither url nor body; return null when there are no more pages');
  return next;
}

/** parseResponse's items; `source`, when given, must name this source (Hel writes the source's label). */
export function itemsShape(value: unknown, fail: Fail, sourceNames: readonly string[]): HookItem[] {
  if (!Array.isArray(value)) throw fail('something other than an array of {ts, source, event, meta?}');
  return value.map((item: unknown, i) => {
    if (!isObject(item) || !('event' in item)) throw fail(`item ${i} without an event (expected {ts, source, event, meta?})`);
    onlyKeys(item, ['ts', 'source', 'event', 'meta'], (m) => fail(`item ${i} with ${m}`));
    if (item.source !== undefined && item.source !== null && (typeof item.source !== 'string' || !sourceNames.includes(item.source))) {
      throw fail(`item ${i} with source ${JSON.stringify(item.source).slice(0, 100)}; use ctx.sourceId (the label is set by source_label_value)`);
    }
    if (item.meta !== undefined && item.meta !== null && !isObject(item.meta)) throw fail(`item ${i} with a meta that is not an object`);
    const ts = typeof item.ts === 'string' && item.ts !== '' ? item.ts : typeof item.ts === 'number' ? new Date(item.ts > 1e12 ? item.ts : item.ts * 1000).toISOString() : undefined;
    return { ts, event: item.event, meta: isObject(item.meta) ? item.meta : undefined };
  });
}

/** commitState's keys as state values: scalars as strings, null deletes; Hel's own keys refused. */
export function stateShape(value: unknown, fail: Fail): Record<string, string | null> {
  if (value === null) return {};
  if (!isObject(value)) throw fail('something other than an object of state keys');
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length > MAX_STATE_KEYS) throw fail(`${entries.length} state keys; at most ${MAX_STATE_KEYS}`);
  const out: Record<string, string | null> = {};
  let bytes = 0;
  for (const [k, v] of entries) {
    if (k === '') throw fail('an empty state key');
    if (RESERVED_STATE_KEYS.has(k)) throw fail(`the state key ${k}, which Hel keeps itself`);
    if (v !== null && typeof v === 'object') throw fail(`state key ${k} as an object; state values are strings (JSON.stringify it)`);
    out[k] = v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
    bytes += k.length + (out[k]?.length ?? 0);
  }
  if (bytes > MAX_STATE_BYTES) throw fail(`${bytes} bytes of state; at most ${MAX_STATE_BYTES}`);
  return out;
}
