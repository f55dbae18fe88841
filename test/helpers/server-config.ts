import { join } from 'node:path';
import { daemonGlobal, LOOPBACK_LISTENER } from './hel-process.js';
import type { LoopbackApi } from './loopback-apis.js';

export const SOURCE_SECRET = 'audit-source-secret-value-42';

/** A cursor source with dedupe and a bearer token read from AUDIT_API_TOKEN. */
export function cursorSource(api: LoopbackApi): Record<string, unknown> {
  return {
    url: api.url,
    method: 'post',
    body: {},
    headers: { 'X-Tenant': 'acme' },
    schedule: { interval_secs: 1 },
    auth: { type: 'bearer', token_env: 'AUDIT_API_TOKEN' },
    pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', has_more_path: 'has_more' },
    response_events_path: 'items',
    timestamp_path: 'timestamp',
    dedupe: { id_path: 'uuid' },
    resilience: { retries: { max_attempts: 2, initial_backoff_secs: 0 } },
  };
}

/** A source whose API always fails; with a low threshold its circuit opens after two polls. */
export function failingSource(api: LoopbackApi, failureThreshold: number): Record<string, unknown> {
  return {
    url: api.url,
    schedule: { interval_secs: 1 },
    resilience: {
      retries: { max_attempts: 2, initial_backoff_secs: 0, max_backoff_secs: 0 },
      circuit_breaker: { failure_threshold: failureThreshold, half_open_timeout_secs: 60 },
    },
  };
}

/** A daemon's `global:` writing to events.ndjson in `dir`; `api` adds keys to the API listener. */
export function globalConfig(dir: string, api: Record<string, unknown> = {}): Record<string, unknown> {
  return daemonGlobal(dir, { output: { path: join(dir, 'events.ndjson') }, api: { ...LOOPBACK_LISTENER, ...api } });
}
