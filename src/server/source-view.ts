import type { ResolvedSource } from '../config/resolved.js';
import type { SourceStatus } from '../engine/status.js';
import { freshnessOf } from '../engine/freshness.js';
import { redactUrl } from '../http/redact-url.js';
import { DEFAULT_PRIORITY } from '../config/operations-schema.js';
import { bodyFields } from '../http/request.js';

/**
 * The JSON shape of one source's status in /healthz and /api/v1; absent values are null, so the
 * shape is stable. `at` is the clock reading and the process start the freshness is computed from.
 */
export function statusJson(s: SourceStatus, at: { now: number; startedAt: number }): Record<string, unknown> {
  const fresh = freshnessOf(s, at.now, at.startedAt);
  return {
    name: s.name,
    label: s.label,
    url: s.url,
    status: s.health,
    polling: s.polling,
    circuit: s.circuit,
    last_poll_at: s.lastPollAt ?? null,
    last_success_at: s.lastSuccessAt ?? null,
    last_error: s.lastError ?? null,
    last_error_code: s.lastErrorCode ?? null,
    last_error_at: s.lastErrorAt ?? null,
    next_poll_at: s.nextPollAt ?? null,
    last_event_time: s.lastEventTime ?? null,
    event_lag_secs: fresh.lagSecs === null ? null : Math.round(fresh.lagSecs),
    no_events_alert_hours: fresh.alertAfterHours,
    no_events: fresh.noEvents,
    consecutive_failures: s.consecutiveFailures,
    events_total: s.eventsTotal,
    events_last_hour: s.eventsLastHour,
    duplicates_total: s.duplicatesTotal,
    polls_total: s.pollsTotal,
    polls_skipped: s.pollsSkipped,
    dedupe_window: s.dedupeWindow ?? null,
    owner: s.owner ?? null,
    lease_expires_at: s.leaseExpiresAt ?? null,
  };
}

const HEALTH_FIELDS = ['name', 'status', 'circuit', 'last_success_at', 'last_error', 'last_error_at', 'no_events'] as const;

/** The part of `statusJson` that /healthz shows per source. */
export function healthJson(s: SourceStatus, at: { now: number; startedAt: number }): Record<string, unknown> {
  const all = statusJson(s, at);
  return Object.fromEntries(HEALTH_FIELDS.map((key) => [key, all[key]]));
}

/** Auth fields that name things rather than hold them; `*_env` names are added on top. */
const AUTH_DESCRIPTIVE_KEYS = new Set(['type', 'prefix', 'header', 'token_url', 'scopes']);

/**
 * A source's config without anything secret. Header, query and body values may hold expanded
 * `${VAR}` secrets, so only their names are shown; for auth only the type and the names of the
 * environment variables it reads.
 */
export function configJson(source: ResolvedSource): Record<string, unknown> {
  const auth = source.auth ? Object.fromEntries(Object.entries(source.auth).filter(([key, value]) => value !== undefined && (AUTH_DESCRIPTIVE_KEYS.has(key) || key.endsWith('_env')))) : null;
  return {
    url: redactUrl(source.url),
    method: source.method,
    header_names: Object.keys(source.headers),
    query_param_names: Object.keys(source.query_params),
    body_keys: Object.keys(bodyFields(source)),
    auth,
    schedule: source.schedule,
    pagination: source.pagination,
    resilience: source.resilience,
    dedupe: source.dedupe ?? null,
    response_events_path: source.response_events_path ?? null,
    timestamp_path: source.timestamp_path ?? null,
    on_cursor_error: source.on_cursor_error,
    priority: source.priority ?? DEFAULT_PRIORITY,
    label: { key: source.labelKey, value: source.labelValue },
    integration: source.integration ?? null,
  };
}

/** Committed state keys as JSON: the breaker snapshot parsed, URL-valued keys (next_url) redacted. */
export function stateKeysJson(keys: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(keys).map(([key, value]) => {
      if (key === 'breaker') return [key, parseJson(value)];
      if (/^https?:\/\//i.test(value)) return [key, redactUrl(value)];
      return [key, value];
    }),
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
