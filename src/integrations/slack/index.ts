import { z } from 'zod';
import type { ResolvedSource } from '../../config/resolved.js';
import type { Integration } from '../integration.js';
import { probeConnectionTest } from '../probe.js';
import { budgetName, commonKeys, finishSource, hintsByStatus, tokenKeys, tokenProblems, tokenRef } from '../short-form.js';
import { fakeCommand } from '../fake-api.js';
import { startSlackFake } from './fake.js';

const DEFAULT_TOKEN_ENV = 'SLACK_AUDIT_TOKEN';
const TOKEN_HINT = 'install your app with the auditlogs:read user scope on the Enterprise organization (as its Owner) and export the xoxp- user token';
/** Tier 3: about 50 calls a minute for the whole organization. */
const CALLS_PER_MINUTE = 50;

const slackSchema = z.strictObject({
  type: z.literal('slack'),
  ...commonKeys,
  ...tokenKeys,
  /** First-run backfill start (RFC 3339); sent as `oldest` in Unix seconds. Data starts in March 2018. */
  start_time: z.iso.datetime({ offset: true }).optional(),
  /** Comma-separated action names, e.g. user_login,file_downloaded (at most 30). */
  action: z.string().min(1).optional(),
  limit: z.int().min(1).max(9999).default(200),
});
export type SlackConfig = z.output<typeof slackSchema>;

const LOGS = /\/audit\/v1\/logs\/?$/;

/**
 * The watermark that makes newest-first pages resumable: the newest `date_create` delivered, sent as
 * `oldest` (inclusive; dedupe on `id` drops the boundary entry) when a poll starts without a cursor.
 */
const WATERMARK = { state_key: 'oldest', event_timestamp_path: 'date_create', param_name: 'oldest', overlap_secs: 0 };

/** Slack Audit Logs API: newest entries first, a cursor per page, and a watermark on `oldest` between polls. */
export const slack: Integration<SlackConfig> = {
  type: 'slack',
  title: 'Slack Audit Logs',
  schema: slackSchema,
  expand(name, config, ctx) {
    const ref = tokenRef(config, DEFAULT_TOKEN_ENV, 'user token');
    const issues = tokenProblems(ref, ctx, TOKEN_HINT);
    const url = `${(config.base_url ?? 'https://api.slack.com').replace(/\/+$/, '')}/audit/v1/logs`;
    const oldest = config.start_time === undefined ? undefined : Math.floor(Date.parse(config.start_time) / 1000);
    const source = finishSource(
      {
        url,
        query_params: { limit: config.limit, ...(config.action ? { action: config.action } : {}), ...(oldest === undefined ? {} : { oldest }) },
        headers: { Accept: 'application/json' },
        schedule: { interval_secs: config.schedule?.interval_secs ?? 300, jitter_secs: config.schedule?.jitter_secs ?? 30 },
        auth: { type: 'bearer', token_env: ref.env, token_file: ref.file, token_secret: ref.secret },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'response_metadata.next_cursor', max_pages: 100 },
        resilience: {
          retries: { max_attempts: 5, initial_backoff_secs: 2, max_backoff_secs: 60 },
          rate_limit: { respect_headers: true, budget: budgetName('slack', url, ref), max_requests_per_minute: CALLS_PER_MINUTE },
        },
        response_events_path: 'entries',
        incremental_from: WATERMARK,
        dedupe: { id_path: 'id', capacity: config.dedupe_capacity },
        timestamp_path: 'date_create',
      },
      name,
      name,
      'slack',
      config.source_label_key ?? ctx.globalLabelKey,
      'logs',
    );
    return { sources: [source], issues, warnings: [] };
  },
  owns: (source) => LOGS.test(new URL(source.url).pathname),
  applyDefaults: (source): ResolvedSource => ({
    ...source,
    incremental_from: source.incremental_from ?? WATERMARK,
    dedupe: source.dedupe ?? { id_path: 'id', capacity: 100_000 },
    timestamp_path: source.timestamp_path ?? 'date_create',
  }),
  troubleshoot: hintsByStatus({
    400: 'Slack rejected the query or the cursor (invalid_cursor: clear it with hel state reset SOURCE; the watermark on oldest resumes the rest)',
    401: 'Slack refused the token (invalid_authentication, token_revoked, not_authed): use the xoxp- user token of an app installed on the Enterprise organization by its Owner',
    403: 'the token may not read audit logs (missing_scope, user_not_authorized, feature_not_enabled): it needs the auditlogs:read user scope, installed on the organization (not a workspace) by the Enterprise Owner; the API exists only on Enterprise plans',
    429: 'Slack rate limit (Tier 3, about 50 calls a minute for the whole organization): Hel waits for Retry-After; raise schedule.interval_secs or page_delay_secs if it recurs',
  }),
  missingSecretHint: () => TOKEN_HINT,
  noEventsHint: 'nothing newer than the stored watermark (oldest); check start_time and action; audit data starts in March 2018.',
  connectionTest: () =>
    Promise.resolve(
      probeConnectionTest((s) => `${new URL(s.url).origin}${new URL(s.url).pathname}?limit=1`, {
        ok: 'the token is accepted and may read the audit logs',
        statuses: {
          401: 'Slack does not accept the token (revoked or invalid) — reinstall the app on the organization and use its xoxp- user token',
          403: 'the token lacks auditlogs:read, or the app is not installed on the Enterprise organization by its Owner',
        },
      }),
    ),
  mock: fakeCommand({
    description: 'fake Slack Audit Logs API (/audit/v1/logs: newest first, next_cursor, oldest/latest, 429 Retry-After, ok:false errors)',
    title: 'Slack Audit Logs',
    lacks: 'auditlogs:read',
    env: DEFAULT_TOKEN_ENV,
    rateLimit: { description: 'calls per minute before 429', default: '50' },
    start: startSlackFake,
    example: (url) => `{ slack: { type: slack, base_url: ${url} } }`,
    curl: (url) => `curl -s -H "Authorization: Bearer $SLACK_AUDIT_TOKEN" '${url}/audit/v1/logs?limit=2'`,
  }),
};
