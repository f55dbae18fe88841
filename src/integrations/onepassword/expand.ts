import type { SourceConfig } from '../../config/schema.js';
import type { OnePasswordSourceConfig } from './schema.js';
import { sourceSchema } from '../../config/schema.js';
import type { ResolvedSource } from '../../config/resolved.js';
import type { SecretRef } from '../../config/secret-refs.js';
import type { SecretReader } from '../../secrets/resolver.js';
import { isHelError } from '../../errors.js';
import { REGION_HOSTS, isOnePasswordUrl, regionOfHost, streamOfUrl } from './regions.js';
import { checkOnePasswordBody, resolveStartTime, retentionWarning } from './body.js';
import { planAccounts } from './accounts.js';
import { daysPhrase } from '../../secrets/expiry.js';
import { EXPIRY_WARNING_DAYS, daysUntilExpiry, decodeEventsToken, tokenHost } from './jwt.js';

const DEFAULT_TOKEN_ENV = 'ONEPASSWORD_EVENTS_TOKEN';
/** 1Password allows 600 requests a minute and 30,000 an hour per account, across all streams. */
const ONEPASSWORD_LIMITS = { perMinute: 600, perHour: 30_000 } as const;

const PROFILES = {
  /** The seed's cadence: near-real-time for a SIEM. */
  siem: { interval_secs: 300, jitter_secs: 30 },
  /** SureCloud's cadence: every six hours. */
  compliance: { interval_secs: 21_600, jitter_secs: 300 },
} as const;

export interface ExpandContext {
  env: NodeJS.ProcessEnv;
  globalLabelKey: string;
  requireSecrets: boolean;
  secrets: SecretReader;
  now: () => number;
}

export interface ExpandResult {
  sources: ResolvedSource[];
  issues: { path: (string | number)[]; message: string; hint?: string }[];
  warnings: string[];
}

function tokenRefOf(config: { token_env?: string; token_file?: string; token_secret?: string }): SecretRef {
  const none = config.token_env === undefined && config.token_file === undefined && config.token_secret === undefined;
  return {
    what: 'bearer token',
    prefix: 'token',
    keys: ['token_env', 'token_file', 'token_secret'],
    env: none ? DEFAULT_TOKEN_ENV : config.token_env,
    file: config.token_file,
    secret: config.token_secret,
  };
}

/** A stable name for the account's shared request budget: host plus where the token comes from. */
function budgetName(host: string, ref: SecretRef): string {
  const origin = ref.file !== undefined ? `file:${ref.file}` : ref.env !== undefined ? `env:${ref.env}` : `secret:${ref.secret ?? ''}`;
  return `onepassword:${host}:${origin}`;
}

/**
 * Expands `type: onepassword` into one cursor source per stream with the seed's defaults; with
 * `accounts:`, into those sources for every account, named `<entry>-<account>-<stream>`.
 */
export function expandOnePassword(name: string, config: OnePasswordSourceConfig, ctx: ExpandContext): ExpandResult {
  if (config.accounts === undefined) return expandAccount(name, config, ctx, { pathOf: (key) => [key] });
  const { plans, problems } = planAccounts(config, config.accounts);
  const result: ExpandResult = { sources: [], issues: [...problems], warnings: [] };
  for (const plan of plans) {
    const one = expandAccount(`${name}-${plan.account}`, plan.config, ctx, { entry: name, account: plan.account, pathOf: plan.pathOf });
    result.sources.push(...one.sources);
    result.issues.push(...one.issues);
    result.warnings.push(...one.warnings);
  }
  return result;
}

interface AccountScope {
  /** The `type: onepassword` entry, when `name` is one account of it. */
  entry?: string;
  account?: string;
  pathOf: (key: string) => (string | number)[];
}

function expandAccount(name: string, config: OnePasswordSourceConfig, ctx: ExpandContext, scope: AccountScope): ExpandResult {
  const issues: ExpandResult['issues'] = [];
  const warnings: string[] = [];
  const ref = tokenRefOf(config);
  const at = (path: (string | number)[]): (string | number)[] => [...scope.pathOf(String(path[0] ?? '')), ...path.slice(1)];

  let token: string | undefined;
  try {
    token = ctx.secrets.read(ref);
  } catch (err) {
    if (ctx.requireSecrets) {
      const key = ref.file !== undefined ? 'token_file' : ref.env !== undefined ? 'token_env' : 'token_secret';
      const message = isHelError(err) ? err.message : String(err);
      const hint =
        key === 'token_env'
          ? 'export the bearer token from your Events Reporting integration'
          : key === 'token_file'
            ? 'save the bearer token from your Events Reporting integration in that file'
            : isHelError(err)
              ? err.context.hint
              : undefined;
      issues.push({ path: at([key]), message, hint });
    }
  }
  const claims = token === undefined ? undefined : decodeEventsToken(token);
  const fromToken = claims ? tokenHost(claims) : undefined;

  let base: string;
  if (config.base_url !== undefined) {
    base = config.base_url.replace(/\/+$/, '');
  } else if (config.region !== undefined) {
    base = `https://${REGION_HOSTS[config.region]}`;
    if (fromToken !== undefined && fromToken !== REGION_HOSTS[config.region]) {
      warnings.push(`source ${name}: wrong region: this token belongs to ${fromToken}, but region is ${config.region} (${REGION_HOSTS[config.region]})`);
    }
  } else if (fromToken !== undefined && regionOfHost(fromToken) !== undefined) {
    base = `https://${fromToken}`;
  } else if (!ctx.requireSecrets || token === undefined) {
    base = `https://${REGION_HOSTS.com}`;
  } else {
    issues.push({
      path: at(['region']),
      message: 'region is not set and cannot be derived from the token',
      hint: 'set region: com, ca, eu or ent, as in your sign-in address: start.1password.eu is eu',
    });
    base = `https://${REGION_HOSTS.com}`;
  }

  if (claims) {
    const days = daysUntilExpiry(claims, ctx.now());
    if (days !== undefined && days < 0) warnings.push(`source ${name}: the bearer token expired ${daysPhrase(days)}: issue a new token in 1Password (Integrations > Events Reporting)`);
    else if (days !== undefined && days < EXPIRY_WARNING_DAYS) warnings.push(`source ${name}: the bearer token expires ${daysPhrase(days)}: rotate it before its expiry date`);
  }

  const body: Record<string, unknown> = { limit: config.limit };
  if (config.start_time !== undefined) body.start_time = resolveStartTime(config.start_time, ctx.now());
  for (const p of checkOnePasswordBody(body)) {
    const hint = p.path[0] === 'start_time' && !p.message.includes('end_time') ? 'an RFC 3339 time such as "2025-01-01T00:00:00Z", or a start relative to now such as -30d, -12h' : p.hint;
    issues.push({ path: at(p.path[0] === 'limit' ? ['limit'] : p.path), message: p.message, hint });
  }
  const old = retentionWarning(body.start_time, ctx.now());
  if (old !== undefined) warnings.push(`source ${name}: ${old}`);

  const profile = PROFILES[config.profile];
  const host = new URL(base).host;
  const labelKey = config.source_label_key ?? ctx.globalLabelKey;
  const sources: ResolvedSource[] = config.streams.map((stream) => {
    const sourceName = `${name}-${stream}`;
    const version = config.api_version === 'v3' && stream !== 'auditevents' ? 'v2' : config.api_version;
    const source: SourceConfig = sourceSchema.parse({
      ...(version === 'v3' ? v3Request(base, body, config.limit) : v1v2Request(base, version, stream, body)),
      schedule: {
        interval_secs: config.schedule?.interval_secs ?? profile.interval_secs,
        jitter_secs: config.schedule?.jitter_secs ?? profile.jitter_secs,
      },
      auth: { type: 'bearer', token_env: ref.env, token_file: ref.file, token_secret: ref.secret },
      resilience: {
        timeout_secs: 30,
        retries: { max_attempts: 5, initial_backoff_secs: 2, max_backoff_secs: 60, multiplier: 2 },
        rate_limit: { respect_headers: true, budget: budgetName(host, ref), max_requests_per_minute: ONEPASSWORD_LIMITS.perMinute, max_requests_per_hour: ONEPASSWORD_LIMITS.perHour },
      },
      dedupe: { id_path: 'uuid', capacity: config.dedupe_capacity },
      timestamp_path: 'timestamp',
      no_events_alert_hours: typeof config.no_events_alert_hours === 'number' ? config.no_events_alert_hours : config.no_events_alert_hours?.[stream],
    });
    const resolved: ResolvedSource = { ...source, name: sourceName, labelKey, labelValue: sourceName, onepassword: { entry: scope.entry ?? name, stream, apiVersion: version } };
    if (scope.account === undefined) return resolved;
    return { ...resolved, envelopeMeta: { account: scope.account }, onepassword: { ...resolved.onepassword!, account: scope.account } };
  });
  return { sources, issues, warnings };
}

/** v1/v2: POST a ResetCursor, then `{cursor}` alone; a rejected stored cursor restarts from the last event time. */
function v1v2Request(base: string, version: 'v1' | 'v2', stream: string, body: Record<string, unknown>): Record<string, unknown> {
  return {
    url: `${base}/api/${version}/${stream}`,
    method: 'post',
    body,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', has_more_path: 'has_more', cursor_in_body: 'replace', on_missing_cursor: 'fail', max_pages: 1000 },
    on_cursor_error: 'reset',
  };
}

/**
 * v3 beta audit events: GET with `max_page_size` and `start_time` in the query, `page_token` for
 * the next page, and across polls a restart from the last delivered `insert_time` (exclusive).
 */
function v3Request(base: string, body: Record<string, unknown>, limit: number): Record<string, unknown> {
  return {
    url: `${base}/api/v3/auditevents`,
    method: 'get',
    query_params: { max_page_size: limit, ...(typeof body.start_time === 'string' ? { start_time: body.start_time } : {}) },
    headers: { Accept: 'application/json' },
    response_events_path: 'audit_events',
    pagination: { strategy: 'page_token', token_param: 'page_token', token_path: 'next_page_token', resume_param: 'start_time', resume_path: 'insert_time', max_pages: 1000 },
  };
}

/**
 * Defaults for a 1Password source written out in full (the seed's pattern): the account's shared
 * request budget, dedupe on `uuid`, and `timestamp` as the event time, unless configured.
 */
export function applyOnePasswordDefaults(source: ResolvedSource): ResolvedSource {
  const p = source.pagination;
  // 1Password sends a cursor with every page: a missing one is an anomaly, never the end.
  if (p.strategy === 'cursor' && p.on_missing_cursor === undefined && isOnePasswordSource(source)) {
    source = { ...source, pagination: { ...p, on_missing_cursor: 'fail' } };
  }
  if (!isOnePasswordUrl(source.url)) return source;
  const rate = source.resilience.rate_limit;
  const auth = source.auth?.type === 'bearer' ? source.auth : undefined;
  const host = new URL(source.url).host;
  return {
    ...source,
    dedupe: source.dedupe ?? { id_path: 'uuid', capacity: 100_000 },
    timestamp_path: source.timestamp_path ?? 'timestamp',
    resilience: {
      ...source.resilience,
      rate_limit: {
        ...rate,
        budget: rate.budget ?? budgetName(host, tokenRefOf(auth ?? {})),
        max_requests_per_minute: rate.max_requests_per_minute ?? ONEPASSWORD_LIMITS.perMinute,
        max_requests_per_hour: rate.max_requests_per_hour ?? ONEPASSWORD_LIMITS.perHour,
      },
    },
  };
}

/** A source written out in full against the Events API: its host, or (a proxy, the mock) its POST stream path. */
export function isOnePasswordSource(source: Pick<ResolvedSource, 'url' | 'method'>): boolean {
  return isOnePasswordUrl(source.url) || (streamOfUrl(source.url) !== undefined && source.method === 'post');
}
