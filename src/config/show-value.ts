import type { KeyPath } from './locate.js';

/**
 * What a config error may show of a value. Only keys that cannot hold a secret (enums, numbers,
 * switches, field names and paths) show their value, cut to a few dozen characters; any other value
 * — URLs, headers, bodies, `token_env` with a token pasted into it, a whole token file given as
 * --config — is described by its kind and length only.
 */
const SHOWN_KEYS = new Set([
  // enums and switches
  'type',
  'strategy',
  'method',
  'log_level',
  'log_format',
  'format',
  'backend',
  'rotate',
  'region',
  'api_version',
  'profile',
  'on_cursor_error',
  'cursor_in_body',
  'on_missing_cursor',
  'enabled',
  'respect_headers',
  'streams',
  // numbers
  'interval_secs',
  'jitter_secs',
  'timeout_secs',
  'max_attempts',
  'initial_backoff_secs',
  'max_backoff_secs',
  'multiplier',
  'jitter',
  'failure_threshold',
  'success_threshold',
  'half_open_timeout_secs',
  'page_delay_secs',
  'max_requests_per_minute',
  'max_requests_per_hour',
  'capacity',
  'limit',
  'max_pages',
  'first_page',
  'port',
  'dedupe_capacity',
  'max_response_bytes',
  'max_bytes',
  'overlap_secs',
  // field names, paths and times
  'cursor_param',
  'cursor_path',
  'has_more_path',
  'page_param',
  'limit_param',
  'offset_param',
  'rel',
  'next_url_path',
  'id_path',
  'response_events_path',
  'timestamp_path',
  'start_param',
  'source_label_key',
  'start_time',
  'end_time',
  'address',
  'budget',
  // maps given a scalar by mistake (auth, headers, body and query_params are left out: they hold credentials)
  'global',
  'state',
  'output',
  'api',
  'metrics',
  'secrets',
  'schedule',
  'resilience',
  'retries',
  'circuit_breaker',
  'rate_limit',
  'pagination',
  'dedupe',
  'cursor_reset',
]);

const MAX_SHOWN = 40;

/** Whether the value at `path` may be shown: its own key, or (a list item) its list's key, is a safe one. */
export function mayShow(path: KeyPath): boolean {
  const last = path[path.length - 1];
  const key = typeof last === 'number' ? path[path.length - 2] : last;
  return typeof key === 'string' && SHOWN_KEYS.has(key);
}

/** A string for a message: quoted and cut when it may be shown, else only its length. */
export function shownString(value: string, path: KeyPath): string {
  if (!mayShow(path)) return `a string of ${value.length} character${value.length === 1 ? '' : 's'} (not shown: it may be a secret)`;
  return JSON.stringify(cut(value));
}

/** A map key or other short name for a message, cut to a few dozen characters. */
export function cut(value: string): string {
  return value.length <= MAX_SHOWN ? value : `${value.slice(0, MAX_SHOWN - 12)}…(${value.length} chars)`;
}

/**
 * An environment variable name that is really a credential pasted in by mistake: long, with upper
 * and lower case letters and digits (GitHub's ghp_…, most API keys). Variable names are upper case.
 */
export function looksLikeCredential(name: string): boolean {
  return name.length > 64 || (name.length >= 20 && /[a-z]/.test(name) && /[A-Z]/.test(name) && /[0-9]/.test(name));
}
