import { z } from 'zod';
import type { Integration } from '../integration.js';
import { probeConnectionTest } from '../probe.js';
import { budgetName, commonKeys, finishSource, hintsByStatus, tokenKeys, tokenProblems, tokenRef } from '../short-form.js';
import { fakeCommand } from '../fake-api.js';
import { startOktaFake } from './fake.js';

const DEFAULT_TOKEN_ENV = 'OKTA_API_TOKEN';
const TOKEN_HINT = 'create an API token in the Okta Admin Console (Security > API > Tokens) and export it';

const oktaSchema = z.strictObject({
  type: z.literal('okta'),
  /** The org's API domain, e.g. dev-12345.okta.com (not the -admin console domain). */
  domain: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'a host name without https://, e.g. dev-12345.okta.com')
    .optional(),
  ...commonKeys,
  ...tokenKeys,
  /** First-run backfill start (RFC 3339); the System Log keeps 90 days. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** A System Log filter expression, e.g. eventType eq "user.session.start". */
  filter: z.string().min(1).optional(),
  limit: z.int().min(1).max(1000).default(1000),
});
export type OktaConfig = z.output<typeof oktaSchema>;

const LOGS = /\/api\/v1\/logs\/?$/;

/** Okta System Log: `GET /api/v1/logs` with an SSWS token, polled through the Link header's next link. */
export const okta: Integration<OktaConfig> = {
  type: 'okta',
  title: 'Okta System Log',
  schema: oktaSchema,
  expand(name, config, ctx) {
    const ref = tokenRef(config, DEFAULT_TOKEN_ENV);
    const issues = tokenProblems(ref, ctx, TOKEN_HINT);
    if (config.domain === undefined && config.base_url === undefined)
      issues.push({ path: ['domain'], message: 'domain is not set', hint: 'your Okta API domain, e.g. dev-12345.okta.com (use the org domain, not the -admin one)' });
    const base = (config.base_url ?? `https://${config.domain ?? 'example.okta.com'}`).replace(/\/+$/, '');
    const url = `${base}/api/v1/logs`;
    const source = finishSource(
      {
        url,
        query_params: { limit: config.limit, sortOrder: 'ASCENDING', ...(config.since ? { since: config.since } : {}), ...(config.filter ? { filter: config.filter } : {}) },
        headers: { Accept: 'application/json' },
        schedule: { interval_secs: config.schedule?.interval_secs ?? 60, jitter_secs: config.schedule?.jitter_secs ?? 10 },
        auth: { type: 'bearer', prefix: 'SSWS', token_env: ref.env, token_file: ref.file, token_secret: ref.secret },
        pagination: { strategy: 'link_header', rel: 'next', max_pages: 100 },
        resilience: {
          retries: { max_attempts: 5, initial_backoff_secs: 2, max_backoff_secs: 60 },
          rate_limit: { respect_headers: true, budget: budgetName('okta', url, ref), max_requests_per_minute: 50 },
        },
        dedupe: { id_path: 'uuid', capacity: config.dedupe_capacity },
        timestamp_path: 'published',
        on_cursor_error: 'reset',
        cursor_reset: { start_param: 'since' },
      },
      name,
      name,
      'okta',
      config.source_label_key ?? ctx.globalLabelKey,
      'logs',
    );
    return { sources: [source], issues, warnings: [] };
  },
  owns: (source) => LOGS.test(new URL(source.url).pathname) && /okta(preview)?\.com$|okta-emea\.com$/i.test(new URL(source.url).hostname),
  applyDefaults: (source) => ({
    ...source,
    dedupe: source.dedupe ?? { id_path: 'uuid', capacity: 100_000 },
    timestamp_path: source.timestamp_path ?? 'published',
  }),
  troubleshoot: hintsByStatus({
    400: 'Okta rejected the query: since/until must be RFC 3339 within the last 90 days, and filter must be a valid expression',
    401: 'Okta answered E0000011 (invalid token): the API token was revoked, expired after 30 days unused, or belongs to a deactivated admin; with an API token the auth prefix must be SSWS',
    403: "the token's admin may not read the System Log: API tokens inherit their creator's role (Read-only Admin or higher); with OAuth2 grant okta.logs.read and assign an admin role",
    404: 'check domain: use the org API domain (dev-12345.okta.com), not the Admin Console one (dev-12345-admin.okta.com)',
    429: 'Okta rate limit (E0000047): Hel waits for X-Rate-Limit-Reset; if it recurs, raise schedule.interval_secs, lower max_pages or set rate_limit.max_requests_per_minute below the org limit',
  }),
  missingSecretHint: () => TOKEN_HINT,
  noEventsHint: 'Okta returns only events after since (default: 7 days back) and matching filter; the next poll continues from the saved next link.',
  connectionTest: () =>
    Promise.resolve(
      probeConnectionTest((s) => `${new URL(s.url).origin}/api/v1/logs?limit=1`, {
        ok: 'the token is accepted and may read the System Log',
        statuses: {
          401: 'the token is invalid or revoked — create a new one in Security > API > Tokens (auth prefix SSWS)',
          403: "the token's admin role cannot read the System Log — use a Read-only Admin (or higher) token, or grant okta.logs.read plus an admin role",
          404: 'not an Okta org API domain — use dev-12345.okta.com, not the -admin console domain',
        },
      }),
    ),
  mock: fakeCommand({
    description: 'fake Okta System Log (/api/v1/logs: SSWS tokens, Link next/after, X-Rate-Limit-* headers, E0000047/E0000011/E0000006)',
    title: 'Okta System Log',
    lacks: 'System Log access',
    env: DEFAULT_TOKEN_ENV,
    rateLimit: { description: 'requests per minute before 429 E0000047', default: '60' },
    start: startOktaFake,
    example: (url) => `{ okta: { type: okta, base_url: ${url} } }`,
    curl: (url) => `curl -si -H "Authorization: SSWS $OKTA_API_TOKEN" '${url}/api/v1/logs?limit=2'`,
  }),
};
