import { z } from 'zod';
import type { ResolvedSource } from '../../config/resolved.js';
import type { Integration } from '../integration.js';
import { probeConnectionTest } from '../probe.js';
import { budgetName, commonKeys, finishSource, hintsByStatus, tokenKeys, tokenProblems, tokenRef } from '../short-form.js';
import { fakeCommand } from '../fake-api.js';
import { startTailscaleFake } from './fake.js';

const DEFAULT_TOKEN_ENV = 'TAILSCALE_API_KEY';
const TOKEN_HINT = 'generate an API access token with logs:configuration:read (admin console: Settings > Keys) and export it';

const tailscaleSchema = z.strictObject({
  type: z.literal('tailscale'),
  /** The tailnet name (admin console: General), or "-" for the API key's own tailnet. */
  tailnet: z.string().min(1).default('-'),
  ...commonKeys,
  ...tokenKeys,
  /** How the key is sent: as a Bearer token, or as the Basic user with an empty password. */
  auth: z.enum(['bearer', 'basic']).default('bearer'),
  /** How far back the first window reaches (logs are kept 90 days). */
  lookback_secs: z
    .number()
    .positive()
    .max(90 * 86_400)
    .default(3600),
  /** Each window ends this long before now, so events still being recorded are not skipped. */
  lag_secs: z.number().min(0).default(60),
});
export type TailscaleConfig = z.output<typeof tailscaleSchema>;

const CONFIG_LOGS = /\/api\/v2\/tailnet\/[^/]+\/logging\/configuration\/?$/;
const WINDOW = { start_param: 'start', end_param: 'end' };

/** Tailscale configuration audit logs: one request per time window, each from the end of the last. */
export const tailscale: Integration<TailscaleConfig> = {
  type: 'tailscale',
  title: 'Tailscale configuration audit log',
  schema: tailscaleSchema,
  expand(name, config, ctx) {
    const ref = tokenRef(config, DEFAULT_TOKEN_ENV, 'API access token');
    const issues = tokenProblems(ref, ctx, TOKEN_HINT);
    const url = `${(config.base_url ?? 'https://api.tailscale.com').replace(/\/+$/, '')}/api/v2/tailnet/${encodeURIComponent(config.tailnet)}/logging/configuration`;
    const auth =
      config.auth === 'basic'
        ? { type: 'basic', user_env: ref.env, user_file: ref.file, user_secret: ref.secret }
        : { type: 'bearer', token_env: ref.env, token_file: ref.file, token_secret: ref.secret };
    const source = finishSource(
      {
        url,
        headers: { Accept: 'application/json' },
        schedule: { interval_secs: config.schedule?.interval_secs ?? 300, jitter_secs: config.schedule?.jitter_secs ?? 30 },
        auth,
        resilience: {
          retries: { max_attempts: 5, initial_backoff_secs: 2, max_backoff_secs: 60 },
          rate_limit: { respect_headers: true, budget: budgetName('tailscale', url, ref), max_requests_per_minute: 60 },
        },
        response_events_path: 'logs',
        time_window: { ...WINDOW, initial_lookback_secs: config.lookback_secs, lag_secs: config.lag_secs },
        timestamp_path: 'eventTime',
      },
      name,
      name,
      'tailscale',
      config.source_label_key ?? ctx.globalLabelKey,
      'configuration',
    );
    return { sources: [source], issues, warnings: [] };
  },
  owns: (source) => CONFIG_LOGS.test(new URL(source.url).pathname),
  applyDefaults: (source): ResolvedSource => ({
    ...source,
    time_window: source.time_window ?? { ...WINDOW, initial_lookback_secs: 3600, lag_secs: 60 },
    timestamp_path: source.timestamp_path ?? 'eventTime',
  }),
  troubleshoot: hintsByStatus({
    400: 'Tailscale rejected the window: start and end must be RFC 3339 times, start before end, within the last 90 days',
    401: 'Tailscale refused the API access token (expired, revoked or mistyped); keys expire after 1 to 90 days — generate a new one under Settings > Keys',
    403: 'the API access token lacks the logs:configuration:read scope',
    404: 'check tailnet (the name under General in the admin console, or "-" for the key\'s own tailnet) and the URL',
    429: 'Tailscale rate limit: Hel waits for Retry-After; raise schedule.interval_secs if it recurs',
  }),
  missingSecretHint: () => TOKEN_HINT,
  noEventsHint: 'no configuration change in this window; the next poll asks from its end.',
  connectionTest: () =>
    Promise.resolve(
      probeConnectionTest(
        (s) => {
          const u = new URL(s.url);
          const end = new Date();
          u.search = `?start=${new Date(end.getTime() - 60_000).toISOString()}&end=${end.toISOString()}`;
          return u.toString();
        },
        {
          ok: 'the API access token is accepted and may read configuration audit logs',
          statuses: {
            401: 'Tailscale does not accept the key (expired, revoked or mistyped) — generate a new API access token',
            403: 'the key lacks logs:configuration:read — generate one with that scope',
            404: 'no such tailnet — use the name under General in the admin console, or "-"',
          },
        },
      ),
    ),
  mock: fakeCommand({
    description: 'fake Tailscale configuration audit log (/api/v2/tailnet/{tailnet}/logging/configuration: start/end windows, Bearer or Basic key)',
    title: 'Tailscale configuration audit log',
    lacks: 'logs:configuration:read',
    env: DEFAULT_TOKEN_ENV,
    start: startTailscaleFake,
    example: (url) => `{ ts: { type: tailscale, tailnet: example.com, base_url: ${url} } }`,
    curl: (url) => `curl -s -u "$TAILSCALE_API_KEY:" '${url}/api/v2/tailnet/example.com/logging/configuration?start=2020-01-01T00:00:00Z&end=2100-01-01T00:00:00Z'`,
  }),
};
