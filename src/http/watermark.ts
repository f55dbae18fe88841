import type { ResolvedSource } from '../config/resolved.js';
import { compilePath, getPath } from '../pipeline/path.js';
import { bodyFields } from './request.js';
import type { HttpRequest } from './transport.js';

/**
 * A source's position that is not a cursor: the newest value of an event field (`incremental_from`,
 * for APIs that list newest first such as Slack) or the end of the last time window (`time_window`,
 * Tailscale). A poll's fresh first request carries it as a parameter; pages commit the candidate
 * under `<key>_pending`, and only a poll that reached the end of the data moves the position — so a
 * poll cut short (max_pages, a crash) resumes from its cursor with the old position, losing nothing.
 */
export interface Watermark {
  /**
   * The poll's first request, when it does not resume from a cursor, with the position added;
   * undefined when there is nothing left to ask (a fixed window already collected).
   */
  first(request: HttpRequest, saved: Record<string, string>, now: number): HttpRequest | undefined;
  /** State keys to commit with a page: the pending candidate, and on the last page the new position. */
  checkpoint(events: unknown[], saved: Record<string, string>, end: boolean): Record<string, string | null>;
}

/** The query parameters a source's position sets: they differ between a recording and its replay. */
export function positionParams(source: ResolvedSource): string[] {
  if (source.incremental_from !== undefined) return [source.incremental_from.param_name];
  if (source.time_window !== undefined) return [source.time_window.start_param, source.time_window.end_param];
  return [];
}

export function watermarkFor(source: ResolvedSource): Watermark | undefined {
  if (source.incremental_from !== undefined) return newestEventWatermark(source, source.incremental_from);
  if (source.time_window !== undefined) return timeWindowWatermark(source, source.time_window);
  return undefined;
}

function withParam(request: HttpRequest, source: ResolvedSource, params: Record<string, string>): HttpRequest {
  if (request.method === 'GET') {
    const url = new URL(request.url);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { ...request, url: url.toString() };
  }
  const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : bodyFields(source);
  return { ...request, body: JSON.stringify({ ...body, ...params }) };
}

/** Orders numbers (Unix times) numerically and anything else as a time. */
function newer(a: string, b: string): boolean {
  const [x, y] = /^\d+(\.\d+)?$/.test(a) && /^\d+(\.\d+)?$/.test(b) ? [Number(a), Number(b)] : [Date.parse(a), Date.parse(b)];
  return Number.isNaN(y) || x > y;
}

function newestEventWatermark(source: ResolvedSource, config: NonNullable<ResolvedSource['incremental_from']>): Watermark {
  const path = compilePath(config.event_timestamp_path);
  const key = config.state_key;
  const pendingKey = `${key}_pending`;
  return {
    first(request, saved) {
      const value = saved[key];
      return value === undefined ? request : withParam(request, source, { [config.param_name]: earlier(value, config.overlap_secs) });
    },
    checkpoint(events, saved, end) {
      let pending = saved[pendingKey];
      for (const event of events) {
        const raw = getPath(event, path);
        const value = typeof raw === 'number' ? String(raw) : typeof raw === 'string' && raw !== '' ? raw : undefined;
        if (value !== undefined && (pending === undefined || newer(value, pending))) pending = value;
      }
      if (!end) return pending === undefined ? {} : { [pendingKey]: pending };
      const current = saved[key];
      const next = pending !== undefined && (current === undefined || newer(pending, current)) ? pending : current;
      return { ...(next === undefined ? {} : { [key]: next }), [pendingKey]: null };
    },
  };
}

/** `value` moved back by `secs`, in its own form: Unix seconds stay numbers, times stay RFC 3339 (UTC). */
function earlier(value: string, secs: number): string {
  if (secs === 0) return value;
  if (/^\d+(\.\d+)?$/.test(value)) return String(Number(value) - secs);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms - secs * 1000).toISOString();
}

/** RFC 3339 with nanoseconds, one past `ms`: windows are inclusive at both ends (Tailscale). */
function justAfter(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000001Z');
}

/**
 * Windows from the end of the last one to now minus the lag. A window written in the URL (the Rust
 * Hel's Tailscale example) is honoured: its start opens the first window and its end closes every
 * window, so a fixed window is collected once and a later run asks only for what it has not seen.
 */
function timeWindowWatermark(source: ResolvedSource, config: NonNullable<ResolvedSource['time_window']>): Watermark {
  const key = 'window_end';
  const pendingKey = `${key}_pending`;
  const written = new URL(source.url).searchParams;
  const fixedStart = Date.parse(written.get(config.start_param) ?? '');
  const fixedEnd = Date.parse(written.get(config.end_param) ?? '');
  let windowEnd: string | undefined;
  return {
    first(request, saved, now) {
      const end = Number.isNaN(fixedEnd) ? now - config.lag_secs * 1000 : fixedEnd;
      const last = saved[key] === undefined ? NaN : Date.parse(saved[key]);
      if (!Number.isNaN(last) && last >= end) return undefined;
      const start = !Number.isNaN(last) ? justAfter(last) : new Date(Number.isNaN(fixedStart) ? end - config.initial_lookback_secs * 1000 : fixedStart).toISOString();
      windowEnd = new Date(end).toISOString();
      return withParam(request, source, { [config.start_param]: start, [config.end_param]: windowEnd });
    },
    checkpoint(_events, saved, end): Record<string, string | null> {
      const pending = windowEnd ?? saved[pendingKey];
      if (pending === undefined) return {};
      return end ? { [key]: pending, [pendingKey]: null } : { [pendingKey]: pending };
    },
  };
}

/**
 * Helr's `from`: the start of the range, in the `from_param` query parameter (default `since`) of a
 * fresh first request, until a stored watermark takes over. As in Helr it goes into the URL, also for POST.
 */
export function withFrom(request: HttpRequest, source: ResolvedSource, saved: Record<string, string>): HttpRequest {
  if (source.from === undefined || source.time_window !== undefined) return request;
  if (source.incremental_from !== undefined && saved[source.incremental_from.state_key] !== undefined) return request;
  const url = new URL(request.url);
  url.searchParams.set(source.from_param ?? 'since', source.from);
  return { ...request, url: url.toString() };
}
