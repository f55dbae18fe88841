import { z } from 'zod';
import { backpressureSchema } from './backpressure-schema.js';
import { natsOutputSchema } from './nats-schema.js';
import { hooksGlobalSchema, sourceHooksSchema } from './hooks-schema.js';
import { looksLikeCredential } from './show-value.js';
import { operationsGlobalKeys, priorityValue, sourceBulkheadSchema } from './operations-schema.js';

/**
 * The one definition of hel.yaml: it validates, fills defaults, and is exported as JSON Schema by
 * `hel schema`. Keys and defaults follow the original Hel where the seed uses them; where the
 * original was unsafe (no retries or in-memory state when a block is absent) the default is safe.
 */

/** Shared by the integrations' short forms (src/integrations/<vendor>/schema.ts). */
export const positiveSecs = z.number().positive();
export const nonNegativeSecs = z.number().min(0);
export const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, _)')
  .refine((name) => !looksLikeCredential(name), 'an environment variable name: this looks like a credential pasted in by mistake; put it in a variable and name the variable here');

const secretRef = {
  /** Name of an environment variable holding the value. */
  env: envName.optional(),
  /** Path of a file holding the value (trimmed). Wins over the env variable, as in the original. */
  file: z.string().min(1).optional(),
  /** Name of a value stored with `hel secrets set`. */
  secret: z.string().min(1).optional(),
};

const bearerAuthSchema = z.strictObject({
  type: z.literal('bearer'),
  token_env: secretRef.env,
  token_file: secretRef.file,
  token_secret: secretRef.secret,
  prefix: z.string().default('Bearer'),
});

const basicAuthSchema = z.strictObject({
  type: z.literal('basic'),
  user_env: secretRef.env,
  user_file: secretRef.file,
  user_secret: secretRef.secret,
  password_env: secretRef.env,
  password_file: secretRef.file,
  password_secret: secretRef.secret,
});

const apiKeyAuthSchema = z.strictObject({
  type: z.literal('api_key'),
  header: z.string().min(1),
  key_env: secretRef.env,
  key_file: secretRef.file,
  key_secret: secretRef.secret,
});

const oauth2AuthSchema = z.strictObject({
  type: z.literal('oauth2'),
  token_url: z.url(),
  client_id_env: secretRef.env,
  client_id_file: secretRef.file,
  client_id_secret: secretRef.secret,
  client_secret_env: secretRef.env,
  client_secret_file: secretRef.file,
  client_secret_secret: secretRef.secret,
  /** Present = refresh_token grant; absent = client_credentials. */
  refresh_token_env: secretRef.env,
  refresh_token_file: secretRef.file,
  refresh_token_secret: secretRef.secret,
  /** private_key_jwt (RFC 7523): a PEM private key signs the client assertion instead of sending a client secret. */
  client_private_key_env: secretRef.env,
  client_private_key_file: secretRef.file,
  client_private_key_secret: secretRef.secret,
  scopes: z.array(z.string()).optional(),
  /** RFC 9449: proof-of-possession on the token and every API request (Okta's "Require DPoP header"). */
  dpop: z.boolean().default(false),
});

/** A service account's JSON key signs a JWT-bearer grant (RFC 7523); `subject` is the user it acts for (domain-wide delegation). */
const googleServiceAccountAuthSchema = z.strictObject({
  type: z.literal('google_service_account'),
  credentials_env: secretRef.env,
  credentials_file: secretRef.file,
  credentials_secret: secretRef.secret,
  subject_env: secretRef.env,
  subject_file: secretRef.file,
  subject_secret: secretRef.secret,
  scopes: z.array(z.string().min(1)).min(1),
});

export const authSchema = z.discriminatedUnion('type', [bearerAuthSchema, basicAuthSchema, apiKeyAuthSchema, oauth2AuthSchema, googleServiceAccountAuthSchema]);

/**
 * A source's `auth`. Helr's `auth: {}` (an empty block: no declarative auth, e.g. a hook sets the
 * credentials) is read as no block at all, so it can never be mistaken for a half-written one.
 */
const sourceAuthSchema = z.preprocess((value) => (isEmptyMap(value) ? undefined : value), authSchema.optional());

function isEmptyMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

const maxPages = z.int().positive().default(100);

/** 32 MiB: 30 times a full 1Password page, and a bound on what one response can cost in memory. */
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

const paginationSchema = z.discriminatedUnion('strategy', [
  z.strictObject({
    strategy: z.literal('cursor'),
    /** Request field (POST body) or query parameter (GET) that carries the cursor. */
    cursor_param: z.string().min(1),
    /** Dotted path of the next cursor in the response body. */
    cursor_path: z.string().min(1),
    /** Dotted path of a boolean that says whether more pages follow; checked only when present. */
    has_more_path: z.string().min(1).default('has_more'),
    /** POST: `merge` adds the cursor to the configured body (the seed); `replace` sends `{cursor}` alone. */
    cursor_in_body: z.enum(['merge', 'replace']).default('merge'),
    /**
     * A last page without a cursor (has_more false or absent): `keep` the cursor that fetched it, so
     * the next poll re-reads that page; `fail` treats it as an anomaly. Default: keep (fail for 1Password).
     * With has_more: true a missing cursor is always an error.
     */
    on_missing_cursor: z.enum(['keep', 'fail']).optional(),
    max_pages: maxPages,
  }),
  z.strictObject({
    strategy: z.literal('link_header'),
    rel: z.string().default('next'),
    max_pages: maxPages,
  }),
  z.strictObject({
    strategy: z.literal('next_url'),
    /** Dotted path of the next page's absolute or relative URL in the response body. */
    next_url_path: z.string().min(1),
    max_pages: maxPages,
  }),
  z.strictObject({
    strategy: z.literal('page'),
    page_param: z.string().default('page'),
    limit_param: z.string().default('limit'),
    limit: z.int().positive(),
    first_page: z.int().min(0).default(1),
    max_pages: maxPages,
  }),
  z.strictObject({
    /** The Rust Hel's name for `page` (first page 1); see docs/resilience.md, "Request keys". */
    strategy: z.literal('page_offset'),
    page_param: z.string().min(1),
    limit_param: z.string().min(1),
    limit: z.int().positive(),
    max_pages: maxPages,
  }),
  z.strictObject({
    strategy: z.literal('offset'),
    offset_param: z.string().default('offset'),
    limit_param: z.string().default('limit'),
    limit: z.int().positive(),
    max_pages: maxPages,
  }),
  z.strictObject({
    /** GET with a page token in the query; across polls, resumes from a field of the last event. */
    strategy: z.literal('page_token'),
    token_param: z.string().min(1).default('page_token'),
    /** Dotted path of the next page's token in the response body; absent = the window is exhausted. */
    token_path: z.string().min(1).default('next_page_token'),
    /** Query parameter that restarts after the saved value (an exclusive lower bound). */
    resume_param: z.string().min(1),
    /** Dotted path, in each event, of the value saved to resume from (the last event's). */
    resume_path: z.string().min(1),
    max_pages: maxPages,
  }),
  z.strictObject({
    strategy: z.literal('none'),
  }),
]);

export const retriesSchema = z.strictObject({
  /** Total attempts, including the first; 0 = exactly one request, not even re-sent after a 429 (docs/resilience.md). */
  max_attempts: z.int().min(0).default(3),
  initial_backoff_secs: nonNegativeSecs.default(1),
  max_backoff_secs: nonNegativeSecs.default(60),
  multiplier: z.number().min(1).default(2),
  /** Fraction of each delay randomised (±), 0 = none. */
  jitter: z.number().min(0).max(1).default(0.2),
  /** Statuses retried instead of the default (408, 429, 5xx). */
  retryable_status_codes: z.array(z.int().min(100).max(599)).min(1).optional(),
});

export const circuitBreakerSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    failure_threshold: z.int().min(1).default(5),
    success_threshold: z.int().min(1).default(2),
    half_open_timeout_secs: positiveSecs.default(60),
    /** Caps how long the breaker stays open: min(half_open_timeout_secs, reset_timeout_secs). */
    reset_timeout_secs: positiveSecs.optional(),
    /** Also open when this share of the last `minimum_requests` polls failed (0 < rate <= 1). */
    failure_rate_threshold: z.number().gt(0).max(1).optional(),
    minimum_requests: z.int().min(1).optional(),
  })
  .refine((c) => (c.failure_rate_threshold === undefined) === (c.minimum_requests === undefined), {
    message: 'failure_rate_threshold and minimum_requests go together: the rate is taken over the last minimum_requests polls',
  });

const rateLimitSchema = z
  .strictObject({
    respect_headers: z.boolean().default(true),
    page_delay_secs: nonNegativeSecs.default(0),
    /** Sources naming the same budget share its request allowance. */
    budget: z.string().min(1).optional(),
    max_requests_per_minute: z.int().positive().optional(),
    max_requests_per_hour: z.int().positive().optional(),
    /** Client-side token bucket: at most this many requests per second on average… */
    max_requests_per_second: z.number().positive().optional(),
    /** …and at most this many at once (default ceil(max_requests_per_second)). */
    burst_size: z.int().positive().optional(),
    /** Header names of the server's quota, consulted before the built-in families. */
    headers: z
      .strictObject({
        limit_header: z.string().min(1).optional(),
        remaining_header: z.string().min(1).optional(),
        reset_header: z.string().min(1).optional(),
      })
      .optional(),
    /** Slow down before the quota runs out, not only once it has (docs/resilience.md, "Adaptive pacing"). */
    adaptive: z.boolean().optional(),
  })
  .refine((r) => r.burst_size === undefined || r.max_requests_per_second !== undefined, {
    message: 'burst_size needs max_requests_per_second',
    path: ['burst_size'],
  });

/** Split timeouts; each unset one falls back as docs/resilience.md, "Timeouts", says. */
const timeoutsSchema = z.strictObject({
  connect_secs: positiveSecs.optional(),
  request_secs: positiveSecs.optional(),
  read_secs: positiveSecs.optional(),
  idle_secs: positiveSecs.optional(),
  poll_tick_secs: positiveSecs.optional(),
});

const pemSource = { file: z.string().min(1).optional(), env: envName.optional() };

/** TLS of the source's connections (docs/tls.md). A file wins over an env variable, as in the Rust Hel. */
const tlsSchema = z
  .strictObject({
    ca_file: pemSource.file,
    ca_env: pemSource.env,
    ca_only: z.boolean().default(false),
    client_cert_file: pemSource.file,
    client_cert_env: pemSource.env,
    client_key_file: pemSource.file,
    client_key_env: pemSource.env,
    /** YAML reads an unquoted 1.2 as a number; both spellings are accepted. */
    min_version: z
      .union([z.enum(['1.2', '1.3']), z.literal(1.2), z.literal(1.3)])
      .transform((v) => String(v) as '1.2' | '1.3')
      .optional(),
  })
  .superRefine((tls, ctx) => {
    const cert = tls.client_cert_file !== undefined || tls.client_cert_env !== undefined;
    const key = tls.client_key_file !== undefined || tls.client_key_env !== undefined;
    if (cert && !key) ctx.addIssue({ code: 'custom', path: ['client_key_file'], message: 'a client certificate needs its key: set client_key_file or client_key_env' });
    if (key && !cert) ctx.addIssue({ code: 'custom', path: ['client_cert_file'], message: 'a client key needs its certificate: set client_cert_file or client_cert_env' });
    if (tls.ca_only && tls.ca_file === undefined && tls.ca_env === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ca_only'], message: 'ca_only needs a CA: set ca_file or ca_env' });
    }
  });

export const resilienceSchema = z.strictObject({
  timeout_secs: positiveSecs.default(30),
  retries: retriesSchema.prefault({}),
  circuit_breaker: circuitBreakerSchema.prefault({}),
  rate_limit: rateLimitSchema.prefault({}),
  timeouts: timeoutsSchema.optional(),
  tls: tlsSchema.optional(),
  bulkhead: sourceBulkheadSchema.optional(),
});

const dedupeSchema = z.strictObject({
  /** Dotted path of the event id; events without a string id are emitted and counted as unkeyed. */
  id_path: z.string().min(1),
  capacity: z.int().positive().default(100_000),
});

const scheduleSchema = z.strictObject({
  interval_secs: positiveSecs.default(60),
  jitter_secs: nonNegativeSecs.default(0),
});

/** envelope and raw as collected; ocsf and ecs through the source integration's mapping (pipeline/mappings.ts). */
export const outputFormat = z.enum(['envelope', 'raw', 'ocsf', 'ecs']);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The Rust Hel's pipeline and state keys of a source (their meaning in Hel: docs/differences-from-helr.md). */
const helrPipelineKeys = {
  /** Helr's spelling: `timestamp_field` is `timestamp_path`; `id_field` is copied into the envelope's `meta.id`. */
  transform: z.strictObject({ timestamp_field: z.string().min(1).optional(), id_field: z.string().min(1).optional() }).optional(),
  /** Start of the range, sent as the `from_param` query parameter on a poll's fresh first request. */
  from: z.string().min(1).optional(),
  from_param: z.string().min(1).optional(),
  /** Helr's watermark: the same as `incremental_from` (state key `watermark` by default). */
  state: z
    .strictObject({
      watermark_field: z.string().min(1),
      watermark_param: z.string().min(1),
      state_key: z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits, _')
        .default('watermark'),
    })
    .optional(),
  /** A body that is not JSON, or has no events: fail the poll, or log and end the poll without committing the page. */
  on_parse_error: z.enum(['skip', 'fail']).default('fail'),
  /** A body that is not valid UTF-8: fail, replace the bad bytes with U+FFFD, or write them as the text \xNN. */
  on_invalid_utf8: z.enum(['replace', 'escape', 'fail']).default('fail'),
  /** Cap on one output line in bytes; what to do with a longer one. */
  max_line_bytes: z.int().min(256).optional(),
  /** Default fail; only with max_line_bytes. */
  max_line_bytes_behavior: z.enum(['truncate', 'skip', 'fail']).optional(),
  /** When the position is committed: after each page (default), or once at the end of the poll. */
  checkpoint: z.enum(['end_of_tick', 'per_page']).default('per_page'),
  /** A failed state write: stop the source (default), or go on from the position in memory (at-least-once). */
  on_state_write_error: z.enum(['fail', 'skip_checkpoint']).default('fail'),
  /** Dotted path, inside each element of the events array, of the event itself (GraphQL `node`). */
  response_event_object_path: z.string().min(1).optional(),
  /** Helr's streaming parser; in Hel the body is always read bounded by max_response_bytes (see the differences page). */
  response_streaming: z.enum(['buffered', 'full']).optional(),
};

export const sourceSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'a valid http(s) URL' }),
  method: z.enum(['get', 'post']).default('get'),
  /** Any JSON value; sent with POST only (with GET, validate warns that it is not sent). */
  body: z.json().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  query_params: z.record(z.string(), scalar).default({}),
  schedule: scheduleSchema.prefault({}),
  auth: sourceAuthSchema,
  pagination: paginationSchema.default({ strategy: 'none' }),
  resilience: resilienceSchema.prefault({}),
  dedupe: dedupeSchema.optional(),
  source_label_key: z.string().min(1).optional(),
  source_label_value: z.string().min(1).optional(),
  response_events_path: z.string().min(1).optional(),
  /** Dotted path of the event time used for the envelope's `ts`. */
  timestamp_path: z.string().min(1).optional(),
  /** Freshness alert: the source reports "no events" when nothing newer than this many hours was delivered. */
  no_events_alert_hours: positiveSecs.optional(),
  /** The Rust Hel's watermark: the newest value of an event field, sent as a query parameter on a poll's first request. */
  incremental_from: z
    .strictObject({
      state_key: z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits, _')
        .default('watermark'),
      event_timestamp_path: z.string().min(1),
      param_name: z.string().min(1),
      /** Sends the watermark this much earlier, so events an API lists late (Google's Reports lag) are still read; dedupe drops the repeats. */
      overlap_secs: nonNegativeSecs.default(0),
    })
    .optional(),
  /** APIs that answer a time window (start and end parameters): each poll asks from the last window's end to now. */
  time_window: z
    .strictObject({
      start_param: z.string().min(1).default('start'),
      end_param: z.string().min(1).default('end'),
      /** How far back the first window reaches. */
      initial_lookback_secs: positiveSecs.default(3600),
      /** The window ends this long before now, so events the API is still ingesting are not skipped. */
      lag_secs: nonNegativeSecs.default(60),
    })
    .optional(),
  /** A single response body larger than this fails the request while it streams in (HEL_RESPONSE_TOO_LARGE). */
  max_response_bytes: z.int().positive().default(DEFAULT_MAX_RESPONSE_BYTES),
  /** Helr's per-poll total: pagination stops (position kept) once the poll's responses exceed this. */
  max_bytes: z.int().positive().optional(),
  /** A stored cursor the server rejects with 400: keep it and fail, or restart from the last event time. */
  on_cursor_error: z.enum(['fail', 'reset']).default('fail'),
  /** With on_cursor_error: reset, the restart's first-request field and how far it looks back. */
  cursor_reset: z
    .strictObject({
      start_param: z.string().default('start_time'),
      overlap_secs: nonNegativeSecs.default(300),
    })
    .prefault({}),
  /** This source's output format, overriding global.output.format. */
  output_format: outputFormat.optional(),
  ...helrPipelineKeys,
  /** Load shedding (global.load_shedding): 0 is shed first, 10 (the default) never. */
  priority: priorityValue.optional(),
  /** JavaScript hooks (src/hooks, docs/hooks.md). */
  hooks: sourceHooksSchema.optional(),
});

/** `%Y %m %d %H` (UTC, of each event's time) and `%%`: strftime's spelling, as Vector and Fluent Bit use for index names. */
const INDEX_TEMPLATE = /^(?:[^%]|%[YmdH%])+$/;

const httpOutputAuthSchema = z.discriminatedUnion('type', [
  // Without prefix, the format's scheme: Bearer (ndjson), Splunk (splunk_hec), ApiKey (elasticsearch_bulk).
  bearerAuthSchema.extend({ prefix: z.string().optional() }),
  basicAuthSchema,
  apiKeyAuthSchema,
]);

/** `global.output.http`: the HTTP sink (src/sink/http), the Rust Hel's keys plus formats; see docs/sinks-http.md. */
export const httpOutputSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'a valid http(s) URL' }).optional(),
    format: z.enum(['ndjson', 'splunk_hec', 'elasticsearch_bulk']).default('ndjson'),
    batch_size: z.int().min(1).max(10_000).default(100),
    batch_timeout_ms: z.int().min(0).max(600_000).default(500),
    max_batch_bytes: z
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(5 * 1024 * 1024),
    max_in_flight: z.int().min(1).max(64).default(4),
    headers: z.record(z.string(), z.string()).default({}),
    timeout_secs: positiveSecs.default(30),
    /** Retries before the receiver is reported down; with backpressure `block` delivery goes on after that. */
    max_retries: z.int().min(0).default(3),
    initial_backoff_secs: nonNegativeSecs.default(1),
    max_backoff_secs: positiveSecs.default(30),
    auth: httpOutputAuthSchema.optional(),
    /** Splunk index (splunk_hec), or the index name template (elasticsearch_bulk), e.g. hel-%Y.%m.%d. */
    index: z.string().min(1).optional(),
    sourcetype: z.string().min(1).default('hel'),
    host: z.string().min(1).optional(),
    require_ack: z.boolean().default(false),
    ack_poll_ms: z.int().min(10).max(60_000).default(1000),
    ack_timeout_secs: positiveSecs.default(300),
  })
  .superRefine((http, ctx) => {
    if (http.format !== 'elasticsearch_bulk') return;
    if (http.index === undefined) ctx.addIssue({ code: 'custom', path: ['index'], message: 'elasticsearch_bulk needs an index name, e.g. hel-%Y.%m.%d' });
    else if (!INDEX_TEMPLATE.test(http.index) || /[A-Z]/.test(http.index.replace(/%[YmdH%]/g, ''))) {
      ctx.addIssue({ code: 'custom', path: ['index'], message: 'a lower-case index name; % is followed by Y, m, d, H or %' });
    }
  });

export const globalSchema = z.strictObject({
  log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Default: readable lines on a terminal, JSON otherwise. */
  log_format: z.enum(['json', 'pretty']).optional(),
  source_label_key: z.string().min(1).default('source'),
  source_label_value: z.string().min(1).default('hel'),
  state: z
    .strictObject({
      backend: z.enum(['sqlite', 'memory', 'postgres', 'redis']).default('sqlite'),
      path: z.string().min(1).default('./hel-state.db'),
      /** postgres, redis: the connection URL (`${VAR}` works), or where to read it: env, file, `hel secrets` name. */
      url: z.string().min(1).optional(),
      url_env: secretRef.env,
      url_file: secretRef.file,
      url_secret: secretRef.secret,
      tls: z
        .strictObject({
          ca_file: z.string().min(1).optional(),
          cert_file: z.string().min(1).optional(),
          key_file: z.string().min(1).optional(),
          reject_unauthorized: z.boolean().default(true),
          server_name: z.string().min(1).optional(),
        })
        .optional(),
      /** Shared backends: how long a source's lease lasts without renewal (renewed every third of it); default 30. */
      lease_ttl_secs: z.number().min(0.3).optional(),
      /** Shared backends: this instance's name in leases (default host:pid:random). */
      instance_id: z.string().min(1).optional(),
    })
    .refine((s) => (s.backend !== 'postgres' && s.backend !== 'redis') || [s.url, s.url_env, s.url_file, s.url_secret].some((v) => v !== undefined), {
      message: 'backends postgres and redis need the connection: url, url_env, url_file or url_secret',
    })
    .prefault({}),
  output: z
    .strictObject({
      format: outputFormat.default('envelope'),
      /** ocsf / ecs: keep the vendor's event as JSON text (OCSF raw_data, ECS event.original). */
      raw_data: z.boolean().default(false),
      path: z.string().min(1).optional(),
      rotate: z
        .string()
        .regex(/^(daily|size:\d+)$/, 'daily or size:<MB>')
        .optional(),
      nats: natsOutputSchema.optional(),
      http: httpOutputSchema.optional(),
    })
    .prefault({}),
  backpressure: backpressureSchema.prefault({}),
  api: z
    .strictObject({
      enabled: z.boolean().default(false),
      address: z.string().default('127.0.0.1'),
      port: z.int().min(0).max(65535).default(8080),
      token_env: envName.optional(),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      enabled: z.boolean().default(false),
      address: z.string().default('127.0.0.1'),
      port: z.int().min(0).max(65535).default(9090),
    })
    .prefault({}),
  hooks: hooksGlobalSchema.prefault({}),
  secrets: z
    .strictObject({
      path: z.string().min(1).default('./hel-secrets.enc'),
      key_file: z.string().min(1).optional(),
    })
    .prefault({}),
  ...operationsGlobalKeys,
});

/** As in Helr, any map key names a source (spaces too); control characters and overlong names are refused. */
const SOURCE_NAME = /^[^\p{Cc}]{1,200}$/u;

export const configSchema = z.strictObject({
  global: globalSchema.prefault({}),
  sources: z.record(z.string().regex(SOURCE_NAME, 'a source name of 1 to 200 printable characters'), z.unknown()).refine((m) => Object.keys(m).length > 0, 'no sources defined'),
});

export type SourceConfig = z.output<typeof sourceSchema>;
export type GlobalConfig = z.output<typeof globalSchema>;
export type AuthConfig = z.output<typeof authSchema>;
export type ResilienceConfig = z.output<typeof resilienceSchema>;
export type RetriesConfig = z.output<typeof retriesSchema>;
export type CircuitBreakerConfig = z.output<typeof circuitBreakerSchema>;
export type RateLimitConfig = z.output<typeof rateLimitSchema>;
export type TlsConfig = z.output<typeof tlsSchema>;
export type HttpOutputConfig = z.output<typeof httpOutputSchema>;
