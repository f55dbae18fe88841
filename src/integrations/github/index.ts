import { z } from 'zod';
import type { CheckLine, Integration } from '../integration.js';
import { probeConnectionTest } from '../probe.js';
import { budgetName, commonKeys, finishSource, hintsByStatus, tokenKeys, tokenProblems, tokenRef } from '../short-form.js';
import { fakeCommand } from '../fake-api.js';
import { startGitHubFake } from './fake.js';

const DEFAULT_TOKEN_ENV = 'GITHUB_TOKEN';
const TOKEN_HINT = 'create a classic personal access token with read:audit_log (Settings > Developer settings > Tokens (classic)) and export it';
/** The audit log API allows 1,750 queries an hour per user and IP. */
const QUERIES_PER_HOUR = 1750;

const githubSchema = z
  .strictObject({
    type: z.literal('github'),
    /** The organization login (slug), not its display name. */
    org: z.string().min(1).optional(),
    /** The enterprise slug, for the enterprise-wide audit log. */
    enterprise: z.string().min(1).optional(),
    /** GitHub Enterprise Server: https://HOST/api/v3; default https://api.github.com. */
    api_url: z.url({ protocol: /^https?$/ }).optional(),
    ...commonKeys,
    ...tokenKeys,
    /** A search phrase, e.g. "created:>=2026-01-01" or "action:repo.create". */
    phrase: z.string().min(1).optional(),
    include: z.enum(['web', 'git', 'all']).optional(),
    per_page: z.int().min(1).max(100).default(100),
  })
  .refine((c) => (c.org === undefined) !== (c.enterprise === undefined), { message: 'set exactly one of org or enterprise', path: ['org'] });
export type GitHubConfig = z.output<typeof githubSchema>;

const AUDIT_LOG = /\/(orgs|enterprises)\/[^/]+\/audit-log\/?$/;

function scopesLine(headers: Record<string, string>): CheckLine[] {
  const scopes = headers['x-oauth-scopes'];
  if (scopes === undefined) return [];
  const list = scopes.split(',').map((s) => s.trim());
  return list.includes('read:audit_log') || list.includes('admin:org') || list.includes('admin:enterprise')
    ? [{ level: 'ok', text: `token scopes: ${scopes}` }]
    : [{ level: 'warn', text: `token scopes: ${scopes || '(none)'} — read:audit_log is missing` }];
}

/** GitHub organization or enterprise audit log, paged by the Link header's `after` cursor, oldest first. */
export const github: Integration<GitHubConfig> = {
  type: 'github',
  title: 'GitHub audit log',
  schema: githubSchema,
  expand(name, config, ctx) {
    const ref = tokenRef(config, DEFAULT_TOKEN_ENV);
    const issues = tokenProblems(ref, ctx, TOKEN_HINT);
    const api = (config.base_url ?? config.api_url ?? 'https://api.github.com').replace(/\/+$/, '');
    const path = config.org !== undefined ? `/orgs/${encodeURIComponent(config.org)}` : `/enterprises/${encodeURIComponent(config.enterprise ?? '')}`;
    const url = `${api}${path}/audit-log`;
    const source = finishSource(
      {
        url,
        query_params: { per_page: config.per_page, order: 'asc', ...(config.phrase ? { phrase: config.phrase } : {}), ...(config.include ? { include: config.include } : {}) },
        headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'hel' },
        schedule: { interval_secs: config.schedule?.interval_secs ?? 300, jitter_secs: config.schedule?.jitter_secs ?? 30 },
        auth: { type: 'bearer', token_env: ref.env, token_file: ref.file, token_secret: ref.secret },
        pagination: { strategy: 'link_header', rel: 'next', max_pages: 50 },
        resilience: {
          retries: { max_attempts: 5, initial_backoff_secs: 2, max_backoff_secs: 60 },
          rate_limit: { respect_headers: true, budget: budgetName('github', url, ref), max_requests_per_hour: QUERIES_PER_HOUR },
        },
        dedupe: { id_path: '_document_id', capacity: config.dedupe_capacity },
        timestamp_path: '@timestamp',
      },
      name,
      name,
      'github',
      config.source_label_key ?? ctx.globalLabelKey,
      config.org !== undefined ? 'org' : 'enterprise',
    );
    return { sources: [source], issues, warnings: [] };
  },
  owns: (source) => AUDIT_LOG.test(new URL(source.url).pathname),
  applyDefaults: (source) => ({
    ...source,
    dedupe: source.dedupe ?? { id_path: '_document_id', capacity: 100_000 },
    timestamp_path: source.timestamp_path ?? '@timestamp',
  }),
  troubleshoot: hintsByStatus({
    401: 'GitHub answered "Bad credentials": the token is wrong, expired or revoked; create a classic PAT with read:audit_log',
    403: 'the token may not read the audit log: it needs read:audit_log (classic PAT; fine-grained tokens are not accepted) and its user must be an organization (or enterprise) owner; a missing User-Agent header is refused too',
    404: 'the audit log API exists only on GitHub Enterprise Cloud/Server: check org (the login, not the display name), or use enterprise: for the enterprise endpoint',
    429: 'GitHub rate limit (1,750 audit-log queries an hour, plus secondary limits): Hel waits for Retry-After or x-ratelimit-reset; raise schedule.interval_secs or lower max_pages if it recurs',
  }),
  missingSecretHint: () => TOKEN_HINT,
  noEventsHint: 'check phrase and include; without phrase GitHub searches the last three months; the next poll continues from the saved link.',
  connectionTest: () =>
    Promise.resolve(
      probeConnectionTest(
        (s) => {
          const u = new URL(s.url);
          u.search = '?per_page=1';
          return u.toString();
        },
        {
          ok: 'the token is accepted and may read the audit log',
          statuses: {
            401: 'GitHub does not accept the token (revoked, expired or mistyped) — create a classic PAT with read:audit_log',
            403: 'the token lacks read:audit_log, or its user is not an owner of the organization / enterprise',
            404: 'no audit log here: the organization is not on GitHub Enterprise, or org / enterprise is misspelt',
          },
        },
        (response) => scopesLine(response.headers),
      ),
    ),
  mock: fakeCommand({
    description: 'fake GitHub audit log (/orgs/{org}/audit-log: Link after-cursors, phrase, x-ratelimit-* headers, 403 rate limits)',
    title: 'GitHub audit log',
    lacks: 'read:audit_log',
    env: DEFAULT_TOKEN_ENV,
    rateLimit: { description: 'audit-log queries per hour', default: '1750' },
    start: startGitHubFake,
    example: (url) => `{ gh: { type: github, org: acme, api_url: ${url} } }`,
    curl: (url) => `curl -si -H "Authorization: Bearer $GITHUB_TOKEN" -H 'User-Agent: curl' '${url}/orgs/acme/audit-log?per_page=2&order=asc'`,
  }),
};
