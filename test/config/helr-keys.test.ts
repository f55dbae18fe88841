/**
 * Every row of helr-keys.md (test/fixtures/helr-keys.md, a copy of the table of the Rust Hel's config
 * keys in /work/shared/reference) against this Hel: the key, in Helr's form, passes `hel validate`;
 * each key is named in the docs (a key table row with its meaning, or the page that describes the
 * behaviour); and a test that proves its behaviour against a loopback server names it, so no key is
 * accepted and ignored. A row added to the table without an entry here fails the first test.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { isConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { hel, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TABLE = join(ROOT, 'test/fixtures/helr-keys.md');

type Json = Record<string, unknown>;

interface Row {
  /** `global` keys of the row (merged with the other rows' where they agree). */
  global?: Json;
  /** The row's source (its own, named after the row); `url` defaults to a loopback one. */
  source?: Json;
  /** The source's name, for rows about names. */
  name?: string;
  /** The config text around the source, for rows about the text itself ($VAR). */
  raw?: string;
  env?: Record<string, string>;
  /**
   * Keys named in docs/configuration.md's tables, each with its meaning: a path starting with
   * `global.` as is, any other under `sources.<name>.`. A `~` entry is a phrase some docs page holds.
   */
  docs: string[];
  /**
   * Test files (a path under test/, or its end) that prove the behaviour against a loopback server,
   * each with the text it must hold (undefined: the last part of the first docs key).
   */
  proof: Record<string, string | undefined>;
  /** Further `global` blocks of the row that cannot share one config with its first (validated alone). */
  more?: Json[];
}

/** Files the rows point at (credentials, a CA, a hook script), made in the test's directory. */
const FILES = ['token', 'user', 'password', 'key', 'client-id', 'client-secret', 'refresh', 'private-key.pem', 'sa.json', 'subject', 'ca.pem', 'client.pem', 'client.key', 'state.db'];

function rows(dir: string): Record<string, Row> {
  const f = (name: string) => join(dir, name);
  return {
    '`global`, `sources` (≥1)': { docs: ['~## Every key'], source: {}, proof: { 'validate-ok.test.ts': 'sources' } },
    '`global.log_level`': { global: { log_level: 'debug' }, docs: ['global.log_level'], proof: { 'logger.test.ts': undefined } },
    '`global.log_format`': { global: { log_format: 'json' }, docs: ['global.log_format'], proof: { 'hooks/config.test.ts': undefined } },
    '`global.source_label_key` / `source_label_value`': {
      global: { source_label_key: 'vendor', source_label_value: 'acme' },
      docs: ['global.source_label_key', 'global.source_label_value'],
      proof: { 'pagination-cli.test.ts': 'source_label_value' },
    },
    '`global.state.backend: sqlite` / `memory` + `path`': {
      global: { state: { backend: 'sqlite', path: f('state.db') } },
      docs: ['global.state.backend', 'global.state.path'],
      proof: { 'hooks/request-path.test.ts': "backend: 'sqlite'", 'hooks/daemon.test.ts': "backend: 'memory'" },
    },
    '`global.state.backend: redis` / `postgres` + `global.state.url`': {
      global: { state: { backend: 'postgres', url: 'postgres://hel@127.0.0.1:5432/hel' } },
      docs: ['global.state.backend', 'global.state.url'],
      more: [{ state: { backend: 'redis', url: 'redis://127.0.0.1:6379/0' } }],
      proof: { 'state/postgres.test.ts': "'postgres'", 'state/shared-store.test.ts': 'SHARED_BACKENDS' },
    },
    '`global.api.{enabled,address,port}`': {
      global: { api: { enabled: true, address: '127.0.0.1', port: 0 } },
      docs: ['global.api.enabled', 'global.api.address', 'global.api.port'],
      proof: { 'api.test.ts': 'api' },
    },
    '`global.metrics.{enabled,address,port}`': {
      global: { metrics: { enabled: true, address: '127.0.0.1', port: 0 } },
      docs: ['global.metrics.enabled', 'global.metrics.address', 'global.metrics.port'],
      proof: { 'server/metrics.test.ts': 'metrics' },
    },
    '`global.hooks.{enabled,path,timeout_secs,memory_limit_mb,allow_network,allow_fs,auth_cache_ttl_secs}` (JS hooks, Boa)': {
      global: { hooks: { enabled: true, path: dir, timeout_secs: 2, memory_limit_mb: 64, allow_network: true, allow_fs: false, auth_cache_ttl_secs: 60 } },
      source: { hooks: { script_inline: 'function buildRequest(ctx) { return null; }' } },
      docs: [
        'global.hooks.enabled',
        'global.hooks.path',
        'global.hooks.timeout_secs',
        'global.hooks.memory_limit_mb',
        'global.hooks.allow_network',
        'global.hooks.allow_fs',
        'global.hooks.auth_cache_ttl_secs',
      ],
      proof: { 'sandbox-limits.test.ts': 'hooks', 'sandbox-access.test.ts': 'hooks', 'daemon.test.ts': 'hooks' },
    },
    '`global.backpressure.{enabled,detection.*,strategy,disk_buffer.*,drop_policy,max_queue_age_secs}`': {
      global: { backpressure: { enabled: true, detection: { event_queue_size: 1000, memory_threshold_mb: 256 }, strategy: 'drop', drop_policy: 'oldest_first', max_queue_age_secs: 3600 } },
      more: [{ backpressure: { enabled: true, strategy: 'disk_buffer', disk_buffer: { path: join(dir, 'spool'), max_size_mb: 64, segment_size_mb: 1 } } }],
      docs: [
        'global.backpressure.enabled',
        'global.backpressure.detection.event_queue_size',
        'global.backpressure.strategy',
        'global.backpressure.disk_buffer.path',
        'global.backpressure.drop_policy',
        'global.backpressure.max_queue_age_secs',
      ],
      proof: { 'sink/backpressure/backpressure-strategies.test.ts': 'drop_policy', 'sink/backpressure/backpressure-nats.test.ts': 'disk_buffer' },
    },
    '`global.degradation.{state_store_fallback,emit_without_checkpoint,reduced_frequency_multiplier}`': {
      global: { degradation: { state_store_fallback: 'memory', emit_without_checkpoint: true, reduced_frequency_multiplier: 2 } },
      docs: ['global.degradation.state_store_fallback', 'global.degradation.emit_without_checkpoint', 'global.degradation.reduced_frequency_multiplier'],
      proof: { 'degradation.test.ts': undefined },
    },
    '`global.reload.restart_sources_on_sighup`': {
      global: { reload: { restart_sources_on_sighup: true } },
      docs: ['global.reload.restart_sources_on_sighup'],
      proof: { 'restart-sources.test.ts': undefined },
    },
    '`global.dump_on_sigusr1.{destination,path}`': {
      global: { dump_on_sigusr1: { destination: 'file', path: join(dir, 'dump.json') } },
      docs: ['global.dump_on_sigusr1.destination', 'global.dump_on_sigusr1.path'],
      proof: { 'dump-audit.test.ts': 'dump_on_sigusr1' },
    },
    '`global.bulkhead.{max_concurrent_sources,max_concurrent_requests}`': {
      global: { bulkhead: { max_concurrent_sources: 2, max_concurrent_requests: 2 } },
      docs: ['global.bulkhead.max_concurrent_sources', 'global.bulkhead.max_concurrent_requests'],
      proof: { 'bulkhead.test.ts': undefined },
    },
    '`global.load_shedding.skip_priority_below`': {
      global: { load_shedding: { skip_priority_below: 5 }, backpressure: { enabled: true } },
      docs: ['global.load_shedding.skip_priority_below'],
      proof: { 'load-shedding.test.ts': undefined },
    },
    '`global.audit.{enabled,log_credential_access,log_config_changes}`': {
      global: { audit: { enabled: true, log_credential_access: true, log_config_changes: true } },
      docs: ['global.audit.enabled', 'global.audit.log_credential_access', 'global.audit.log_config_changes'],
      proof: { 'dump-audit.test.ts': 'log_credential_access' },
    },
    '`global.output.http.{batch_size,batch_timeout_ms,headers,timeout_secs,max_retries}`': {
      global: { output: { http: { url: 'http://127.0.0.1:9/ingest', batch_size: 100, batch_timeout_ms: 500, headers: { 'X-Tenant': 'acme' }, timeout_secs: 30, max_retries: 3 } } },
      docs: ['global.output.http.batch_size', 'global.output.http.batch_timeout_ms', 'global.output.http.headers', 'global.output.http.timeout_secs', 'global.output.http.max_retries'],
      proof: { 'batching.test.ts': 'batch_timeout_ms' },
    },
    '`global.output.nats.subject`': { global: { output: { nats: { subject: 'hel.{source}' } } }, docs: ['global.output.nats.subject'], proof: { 'sink/nats/nats-sink.test.ts': 'subject' } },
    '`${VAR}`, `${VAR:-default}`': {
      raw: 'sources:\n  row:\n    url: "http://${HELR_KEYS_HOST}:${HELR_KEYS_PORT:-9}/x"\n',
      env: { HELR_KEYS_HOST: '127.0.0.1' },
      docs: ['~${VAR:-default}'],
      proof: { 'malformed-env.test.ts': ':-' },
    },
    '`$VAR` without braces': {
      raw: 'sources:\n  row:\n    url: "http://$HELR_KEYS_HOST/x"\n',
      env: { HELR_KEYS_HOST: '127.0.0.1' },
      docs: ['~`$VAR`'],
      proof: { 'behaviours.test.ts': '$VAR without braces' },
    },
    'source name with spaces or other characters': { name: 'okta audit/é "q"', source: {}, docs: ['~**Source names.**'], proof: { 'behaviours.test.ts': 'source names with spaces' } },
    '`url`, `method`': { source: { method: 'post' }, docs: ['url', 'method'], proof: { 'request-cli.test.ts': "method: 'post'" } },
    '`body` (JSON object) with `method: post`': { source: { method: 'post', body: { limit: 100 } }, docs: ['body'], proof: { 'post-cursor.test.ts': undefined } },
    '`body` as any other JSON value (array)': { source: { method: 'post', body: [{ query: 'q' }] }, docs: ['body'], proof: { 'request-cli.test.ts': undefined } },
    '`body` with `method: get`': { source: { method: 'get', body: { ignored: true } }, docs: ['body', '~`body` with `method: get`'], proof: { 'request-cli.test.ts': undefined } },
    '`headers`, `schedule.{interval_secs,jitter_secs}`': {
      source: { headers: { 'User-Agent': 'hel' }, schedule: { interval_secs: 60, jitter_secs: 5 } },
      docs: ['headers', 'schedule.interval_secs', 'schedule.jitter_secs'],
      proof: { 'hooks/request-path.test.ts': 'headers', 'engine/scheduler.test.ts': 'jitter_secs' },
    },
    '`source_label_key`, `source_label_value`': {
      source: { source_label_key: 'vendor', source_label_value: 'okta' },
      docs: ['source_label_key', 'source_label_value'],
      proof: { 'pagination-cli.test.ts': 'source_label_value' },
    },
    '`query_params` (string / int)': { source: { query_params: { limit: 100, filter: 'all' } }, docs: ['query_params'], proof: { 'request-cli.test.ts': undefined } },
    '`query_params` bool value': { source: { query_params: { include_deleted: true } }, docs: ['query_params'], proof: { 'request-cli.test.ts': undefined } },
    '`dedupe.{id_path,capacity}`': { source: { dedupe: { id_path: 'uuid', capacity: 10000 } }, docs: ['dedupe.id_path', 'dedupe.capacity'], proof: { 'e2e/crash/engine-dedupe.test.ts': 'id_path' } },
    '`response_events_path`': { source: { response_events_path: 'data.items' }, docs: ['response_events_path'], proof: { 'pagination-cli.test.ts': undefined } },
    '`on_cursor_error: reset\\ | fail`': {
      source: { pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'next' }, on_cursor_error: 'reset' },
      docs: ['on_cursor_error'],
      proof: { 'cursor-error.test.ts': undefined, 'request-keys/engine.test.ts': undefined },
    },
    '`response_event_object_path` (e.g. GraphQL `node`)': {
      source: { response_events_path: 'data.edges', response_event_object_path: 'node' },
      docs: ['response_event_object_path'],
      proof: { 'pipeline-keys.test.ts': undefined },
    },
    '`transform.{timestamp_field,id_field}`': {
      source: { transform: { timestamp_field: 'published', id_field: 'uuid' } },
      docs: ['transform.timestamp_field', 'transform.id_field'],
      proof: { 'pipeline-keys.test.ts': 'id_field' },
    },
    '`from`, `from_param`': {
      source: { from: '2026-01-01T00:00:00Z', from_param: 'since' },
      docs: ['from', 'from_param'],
      proof: { 'pipeline-keys.test.ts': undefined, 'helr-ctx.test.ts': undefined },
    },
    '`incremental_from.{state_key,event_timestamp_path,param_name}`': {
      source: { incremental_from: { state_key: 'latest', event_timestamp_path: 'published', param_name: 'oldest' } },
      docs: ['incremental_from.state_key', 'incremental_from.event_timestamp_path', 'incremental_from.param_name'],
      proof: { 'watermark.test.ts': 'incremental_from', 'pipeline-keys.test.ts': 'incremental_from' },
    },
    '`state.{watermark_field,watermark_param,state_key}`': {
      source: { state: { watermark_field: 'published', watermark_param: 'since', state_key: 'wm' } },
      docs: ['state.watermark_field', 'state.watermark_param', 'state.state_key'],
      proof: { 'pipeline-keys.test.ts': 'watermark_field' },
    },
    '`max_bytes`, `max_response_bytes`': {
      source: { pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'next' }, max_bytes: 10_000_000, max_response_bytes: 1_000_000 },
      docs: ['max_bytes', 'max_response_bytes'],
      proof: { 'engine/max-bytes.test.ts': 'max_bytes', 'helr-parity/pipeline-keys.test.ts': 'max_response_bytes' },
    },
    '`on_parse_error: skip\\ | fail`': { source: { on_parse_error: 'skip' }, docs: ['on_parse_error'], proof: { 'pipeline-keys.test.ts': undefined } },
    '`on_invalid_utf8: replace\\ | escape\\ | fail`': { source: { on_invalid_utf8: 'escape' }, docs: ['on_invalid_utf8'], proof: { 'pipeline-keys.test.ts': undefined } },
    '`max_line_bytes`, `max_line_bytes_behavior`': {
      source: { max_line_bytes: 4096, max_line_bytes_behavior: 'truncate' },
      docs: ['max_line_bytes', 'max_line_bytes_behavior'],
      proof: { 'pipeline-keys.test.ts': 'max_line_bytes_behavior' },
    },
    '`checkpoint: end_of_tick\\ | per_page`': { source: { checkpoint: 'end_of_tick' }, docs: ['checkpoint'], proof: { 'checkpoint.test.ts': 'end_of_tick' } },
    '`on_state_write_error: fail\\ | skip_checkpoint`': { source: { on_state_write_error: 'skip_checkpoint' }, docs: ['on_state_write_error'], proof: { 'checkpoint.test.ts': undefined } },
    '`priority` (load shedding)': { source: { priority: 3 }, docs: ['priority'], proof: { 'load-shedding.test.ts': undefined } },
    '`hooks.{script,script_inline}`': {
      global: { hooks: { enabled: true, path: dir } },
      source: { hooks: { script: 'hook.js' } },
      docs: ['hooks.script', 'hooks.script_inline'],
      proof: { 'hooks/daemon.test.ts': "script: 'token-exchange.js'", 'hooks/reload.test.ts': 'script_inline' },
    },
    '`response_streaming: buffered\\ | full`': { source: { response_streaming: 'buffered' }, docs: ['response_streaming'], proof: { 'pipeline-keys.test.ts': undefined } },
    '`auth.type: bearer {token_env, token_file, prefix}`': {
      source: { auth: { type: 'bearer', token_env: 'HELR_KEYS_TOKEN', prefix: 'SSWS' } },
      env: { HELR_KEYS_TOKEN: 'x' },
      docs: ['auth.type', 'auth.token_env', 'auth.token_file', 'auth.prefix'],
      proof: { 'static-auth.test.ts': 'prefix', 'okta.test.ts': 'prefix' },
    },
    '`auth.type: api_key {header, key_env, key_file}`': {
      source: { auth: { type: 'api_key', header: 'X-Api-Key', key_file: f('key') } },
      docs: ['auth.header', 'auth.key_env', 'auth.key_file'],
      proof: { 'static-auth.test.ts': 'api_key' },
    },
    '`auth.type: basic {user_env, user_file, password_env, password_file}`': {
      source: { auth: { type: 'basic', user_file: f('user'), password_file: f('password') } },
      docs: ['auth.user_env', 'auth.user_file', 'auth.password_env', 'auth.password_file'],
      proof: { 'static-auth.test.ts': 'basic' },
    },
    '`auth.type: oauth2 {token_url, client_id_*, client_secret_*, refresh_token_*, scopes}`': {
      source: {
        auth: {
          type: 'oauth2',
          token_url: 'http://127.0.0.1:9/token',
          client_id_file: f('client-id'),
          client_secret_file: f('client-secret'),
          refresh_token_file: f('refresh'),
          scopes: ['okta.logs.read'],
        },
      },
      docs: ['auth.token_url', 'auth.client_id_env', 'auth.client_secret_file', 'auth.refresh_token_env', 'auth.scopes'],
      proof: { 'oauth2.test.ts': 'refresh_token' },
    },
    '`auth.client_private_key_env` / `client_private_key_file` (private_key_jwt)': {
      source: { auth: { type: 'oauth2', token_url: 'http://127.0.0.1:9/token', client_id_file: f('client-id'), client_private_key_file: f('private-key.pem') } },
      docs: ['auth.client_private_key_env', 'auth.client_private_key_file'],
      proof: { 'dpop.test.ts': 'client_private_key', 'okta-oauth.test.ts': 'client_private_key' },
    },
    '`auth.dpop: true`': {
      source: { auth: { type: 'oauth2', token_url: 'http://127.0.0.1:9/token', client_id_file: f('client-id'), client_private_key_file: f('private-key.pem'), dpop: true } },
      docs: ['auth.dpop'],
      proof: { 'dpop.test.ts': undefined },
    },
    '`auth.type: google_service_account {credentials_file/env, subject_env/file, scopes}`': {
      source: { auth: { type: 'google_service_account', credentials_file: f('sa.json'), subject_file: f('subject'), scopes: ['https://www.googleapis.com/auth/admin.reports.audit.readonly'] } },
      docs: ['auth.credentials_env', 'auth.credentials_file', 'auth.subject_env', 'auth.subject_file', 'auth.scopes'],
      proof: { 'google-workspace.test.ts': 'google_service_account' },
    },
    '`pagination.strategy: link_header {rel, max_pages}`': {
      source: { pagination: { strategy: 'link_header', rel: 'next', max_pages: 10 } },
      docs: ['pagination.strategy', 'pagination.rel', 'pagination.max_pages'],
      proof: { 'link-header.test.ts': 'link_header' },
    },
    '`pagination.strategy: cursor {cursor_param, cursor_path, max_pages}`': {
      source: { pagination: { strategy: 'cursor', cursor_param: 'after', cursor_path: 'next', max_pages: 10 } },
      docs: ['pagination.cursor_param', 'pagination.cursor_path'],
      proof: { 'pagination-cli.test.ts': 'cursor_path' },
    },
    '`pagination.strategy: page_offset {page_param, limit_param, limit, max_pages}`': {
      source: { pagination: { strategy: 'page_offset', page_param: 'page', limit_param: 'per_page', limit: 50, max_pages: 10 } },
      docs: ['pagination.page_param', 'pagination.limit_param', 'pagination.limit'],
      proof: { 'request-cli.test.ts': 'page_offset' },
    },
    '`pagination.strategy: offset {offset_param, limit_param, limit, max_pages}`': {
      source: { pagination: { strategy: 'offset', offset_param: 'offset', limit_param: 'limit', limit: 50, max_pages: 10 } },
      docs: ['pagination.offset_param'],
      proof: { 'engine/pagination-cli.test.ts': "strategy: 'offset'" },
    },
    'no `pagination`': { source: {}, docs: ['pagination.strategy'], proof: { 'validate-ok.test.ts': 'sources' } },
    '`resilience.timeout_secs`': { source: { resilience: { timeout_secs: 10 } }, docs: ['resilience.timeout_secs'], proof: { 'timeouts.test.ts': 'timeout_secs' } },
    '`resilience.timeouts.{connect_secs,request_secs,read_secs,idle_secs,poll_tick_secs}`': {
      source: { resilience: { timeouts: { connect_secs: 5, request_secs: 30, read_secs: 10, idle_secs: 30, poll_tick_secs: 120 } } },
      docs: ['resilience.timeouts.connect_secs', 'resilience.timeouts.request_secs', 'resilience.timeouts.read_secs', 'resilience.timeouts.idle_secs', 'resilience.timeouts.poll_tick_secs'],
      proof: { 'request-keys/timeouts.test.ts': 'idle_secs', 'request-keys/engine.test.ts': 'poll_tick_secs' },
    },
    '`resilience.retries.{max_attempts,initial_backoff_secs,max_backoff_secs,multiplier,jitter}`': {
      source: { resilience: { retries: { max_attempts: 5, initial_backoff_secs: 1, max_backoff_secs: 30, multiplier: 2, jitter: 0.2 } } },
      docs: ['resilience.retries.max_attempts', 'resilience.retries.initial_backoff_secs', 'resilience.retries.max_backoff_secs', 'resilience.retries.multiplier', 'resilience.retries.jitter'],
      proof: { 'retries.test.ts': 'max_attempts' },
    },
    '`resilience.retries.max_attempts: 0`': { source: { resilience: { retries: { max_attempts: 0 } } }, docs: ['resilience.retries.max_attempts'], proof: { 'retries.test.ts': 'max_attempts: 0' } },
    '`resilience.retries.retryable_status_codes`': {
      source: { resilience: { retries: { retryable_status_codes: [429, 503] } } },
      docs: ['resilience.retries.retryable_status_codes'],
      proof: { 'retries.test.ts': undefined },
    },
    '`resilience.circuit_breaker.{enabled,failure_threshold,success_threshold,half_open_timeout_secs}`': {
      source: { resilience: { circuit_breaker: { enabled: true, failure_threshold: 3, success_threshold: 1, half_open_timeout_secs: 60 } } },
      docs: ['resilience.circuit_breaker.enabled', 'resilience.circuit_breaker.failure_threshold', 'resilience.circuit_breaker.success_threshold', 'resilience.circuit_breaker.half_open_timeout_secs'],
      proof: { 'request-keys/engine.test.ts': 'half_open_timeout_secs' },
    },
    '`resilience.circuit_breaker.{reset_timeout_secs,failure_rate_threshold,minimum_requests}`': {
      source: { resilience: { circuit_breaker: { enabled: true, reset_timeout_secs: 60, failure_rate_threshold: 0.5, minimum_requests: 10 } } },
      docs: ['resilience.circuit_breaker.reset_timeout_secs', 'resilience.circuit_breaker.failure_rate_threshold', 'resilience.circuit_breaker.minimum_requests'],
      proof: { 'request-keys/engine.test.ts': 'failure_rate_threshold' },
    },
    '`resilience.rate_limit.{respect_headers,page_delay_secs}`': {
      source: { resilience: { rate_limit: { respect_headers: true, page_delay_secs: 0.5 } } },
      docs: ['resilience.rate_limit.respect_headers', 'resilience.rate_limit.page_delay_secs'],
      proof: { 'resilience/budget.test.ts': 'page_delay_secs', 'request-keys/rate-limit.test.ts': 'respect_headers' },
    },
    '`resilience.rate_limit.headers.{limit_header,remaining_header,reset_header}`': {
      source: { resilience: { rate_limit: { headers: { limit_header: 'X-Rate-Limit-Limit', remaining_header: 'X-Rate-Limit-Remaining', reset_header: 'X-Rate-Limit-Reset' } } } },
      docs: ['resilience.rate_limit.headers.limit_header', 'resilience.rate_limit.headers.remaining_header', 'resilience.rate_limit.headers.reset_header'],
      proof: { 'request-keys/rate-limit.test.ts': 'limit_header' },
    },
    '`resilience.rate_limit.{max_requests_per_second,burst_size}`': {
      source: { resilience: { rate_limit: { max_requests_per_second: 5, burst_size: 10 } } },
      docs: ['resilience.rate_limit.max_requests_per_second', 'resilience.rate_limit.burst_size'],
      proof: { 'request-keys/rate-limit.test.ts': 'burst_size' },
    },
    '`resilience.rate_limit.adaptive`': {
      source: { resilience: { rate_limit: { adaptive: true } } },
      docs: ['resilience.rate_limit.adaptive'],
      proof: { 'request-keys/rate-limit.test.ts': undefined },
    },
    '`resilience.tls.{ca_file,ca_env,ca_only,client_cert_*,client_key_*,min_version}`': {
      source: { url: 'https://127.0.0.1:9/x', resilience: { tls: { ca_file: f('ca.pem'), ca_only: true, client_cert_file: f('client.pem'), client_key_file: f('client.key'), min_version: '1.2' } } },
      docs: [
        'resilience.tls.ca_file',
        'resilience.tls.ca_env',
        'resilience.tls.ca_only',
        'resilience.tls.client_cert_file',
        'resilience.tls.client_cert_env',
        'resilience.tls.client_key_file',
        'resilience.tls.client_key_env',
        'resilience.tls.min_version',
      ],
      proof: { 'tls.test.ts': 'ca_file', 'tls-proxy.test.ts': 'ca_file' },
    },
    '`resilience.bulkhead.max_concurrent_requests`': {
      source: { resilience: { bulkhead: { max_concurrent_requests: 2 } } },
      docs: ['resilience.bulkhead.max_concurrent_requests'],
      proof: { 'resilience/bulkhead.test.ts': 'max_concurrent_requests' },
    },
  };
}

/** The first cell of each row of the fixture's tables (a `\|` inside a cell is not a column). */
function tableKeys(): string[] {
  return readFileSync(TABLE, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| Helr key') && !line.startsWith('|---'))
    .map((line) => line.split(/(?<!\\ )\|/)[1]!.trim());
}

/** Every file under test/ by its path relative to test/, for finding a proving test wherever it lives. */
function testFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'fixtures') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${rel}${name}/`);
      else if (name.endsWith('.test.ts')) out.push(`${rel}${name}`);
    }
  };
  walk(join(ROOT, 'test'), '');
  return out;
}

function makeFiles(dir: string): void {
  for (const name of FILES) writeFileSync(join(dir, name), 'placeholder\n');
  writeFileSync(join(dir, 'hook.js'), 'function buildRequest(ctx) { return null; }\n');
}

function sourceOf(row: Row): Json {
  return { url: 'http://127.0.0.1:9/helr-keys', ...row.source };
}

test('every row of helr-keys.md has an entry here, and every entry a row', () => {
  const keys = tableKeys();
  const entries = Object.keys(rows('/tmp'));
  assert.equal(keys.length, 71);
  assert.deepEqual(
    keys.filter((k) => !entries.includes(k)),
    [],
    'rows without an entry',
  );
  assert.deepEqual(
    entries.filter((k) => !keys.includes(k)),
    [],
    'entries without a row',
  );
});

test('each row, alone in a config, passes the validation of hel validate', (t) => {
  const dir = tempDir(t);
  makeFiles(dir);
  const failures: string[] = [];
  for (const [key, row] of Object.entries(rows(dir))) {
    for (const global of [row.global, ...(row.more ?? [])]) {
      const path = join(dir, 'row.yaml');
      if (row.raw !== undefined) writeFileSync(path, row.raw);
      else writeConfig(dir, { ...(global ? { global } : {}), sources: { [row.name ?? 'row']: sourceOf(row) } }, 'row.yaml');
      try {
        loadConfig(path, { env: { ...row.env } });
      } catch (err) {
        failures.push(`${key}: ${isConfigError(err) ? err.render() : String(err)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

/** Merges `b` into `a` unless some key both set differs: then undefined. */
function merged(a: Json, b: Json): Json | undefined {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (!(k in out)) out[k] = v;
    else if (isPlain(out[k]) && isPlain(v)) {
      const inner = merged(out[k], v);
      if (inner === undefined) return undefined;
      out[k] = inner;
    } else if (!isDeepStrictEqual(out[k], v)) return undefined;
  }
  return out;
}

const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

test('the rows together, in as few configs as their global keys allow, pass the real hel validate', async (t) => {
  const dir = tempDir(t);
  makeFiles(dir);
  const configs: { global: Json; sources: Json; env: Record<string, string> }[] = [];
  let n = 0;
  for (const row of Object.values(rows(dir))) {
    if (row.raw !== undefined) continue;
    const name = row.name ?? `row-${++n}`;
    let home = configs.find((c) => merged(c.global, row.global ?? {}) !== undefined);
    if (home === undefined) configs.push((home = { global: {}, sources: {}, env: {} }));
    home.global = merged(home.global, row.global ?? {})!;
    home.sources[name] = sourceOf(row);
    Object.assign(home.env, row.env);
  }
  assert.ok(configs.length <= 4, `${configs.length} configs`);
  for (const [i, config] of configs.entries()) {
    const path = writeConfig(dir, { global: config.global, sources: config.sources }, `all-${i}.yaml`);
    const result = await hel(['validate', '-c', path], { env: config.env });
    assert.equal(result.code, 0, result.stderr);
    const count = Object.keys(config.sources).length;
    assert.match(result.stdout, new RegExp(`config valid: ${count} source${count === 1 ? '' : 's'} in`));
  }
});

test('each key is named in the docs with its meaning, and a behaviour test of each row names it', () => {
  const configuration = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
  const pages = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))
    .join('\n');
  const tests = testFiles();
  const problems: string[] = [];
  for (const [key, row] of Object.entries(rows('/tmp'))) {
    for (const doc of row.docs) {
      if (doc.startsWith('~')) {
        if (!pages.includes(doc.slice(1))) problems.push(`${key}: no docs page says ${doc.slice(1)}`);
        continue;
      }
      const path = doc.startsWith('global.') ? doc : `sources.<name>.${doc}`;
      const line = configuration.split('\n').find((l) => l.startsWith(`| \`${path}\` |`));
      if (line === undefined) problems.push(`${key}: docs/configuration.md has no row for ${path}`);
      else if (/\| {2}\|$/.test(line)) problems.push(`${key}: the row of ${path} has no meaning`);
    }
    const fallback = row.docs[0]!.split('.').at(-1)!;
    for (const [proof, mention] of Object.entries(row.proof)) {
      const found = tests.filter((f) => f === proof || f.endsWith(`/${proof}`));
      if (found.length !== 1) {
        problems.push(`${key}: ${found.length} test files named ${proof}`);
        continue;
      }
      if (!readFileSync(join(ROOT, 'test', found[0]!), 'utf8').includes(mention ?? fallback)) problems.push(`${key}: ${found[0]} does not mention ${mention ?? fallback}`);
    }
  }
  assert.deepEqual(problems, []);
});
