import { z } from 'zod';
import type { ResolvedSource } from '../../config/resolved.js';
import { envName } from '../../config/schema.js';
import { isHelError } from '../../errors.js';
import type { SecretRef } from '../../config/secret-refs.js';
import type { ExpandContext, Integration, SourceProblem } from '../integration.js';
import { budgetName, commonKeys, finishSource } from '../short-form.js';
import { APPLICATIONS, REPORTS_SCOPE, overlapFor, type Application } from './applications.js';
import { checkGoogleConnection } from './connection-test.js';
import { googleMockCommand } from './mock-command.js';
import { googleHint } from './troubleshoot.js';

const DEFAULT_CREDENTIALS_ENV = 'GWS_CREDENTIALS_JSON';
const DEFAULT_SUBJECT_ENV = 'GWS_DELEGATED_USER';
const DEFAULT_APPLICATIONS: Application[] = ['admin', 'login', 'token', 'user_accounts', 'drive'];
/** Admin SDK default quota: 2,400 queries per minute per user per project. */
const QUERIES_PER_MINUTE = 2400;
/** The Reports API keeps activities for about six months. */
const RETENTION_DAYS = 180;
const CREDENTIALS_HINT =
  'create a JSON key for the service account (Cloud console > IAM & Admin > Service accounts > Keys > Add key > JSON) and point credentials_file at it, or export its content in GWS_CREDENTIALS_JSON';
const SUBJECT_HINT = 'export the email of a Workspace super admin (or an admin with the Reports privilege) for domain-wide delegation, e.g. GWS_DELEGATED_USER=admin@example.com';

const googleWorkspaceSchema = z.strictObject({
  type: z.literal('google_workspace'),
  ...commonKeys,
  /** One source per application (applicationName of activities.list). */
  applications: z.array(z.enum(APPLICATIONS)).min(1).default(DEFAULT_APPLICATIONS),
  credentials_env: envName.optional(),
  credentials_file: z.string().min(1).optional(),
  credentials_secret: z.string().min(1).optional(),
  subject_env: envName.optional(),
  subject_file: z.string().min(1).optional(),
  subject_secret: z.string().min(1).optional(),
  /** First-run backfill start (RFC 3339), sent as startTime; without it the first poll reads all retained activities. */
  start_time: z.iso.datetime({ offset: true }).optional(),
  max_results: z.int().min(1).max(1000).default(1000),
  /** How far behind its watermark a poll asks again (Google's lag); default per application. */
  overlap_secs: z.number().min(0).optional(),
});
export type GoogleWorkspaceConfig = z.output<typeof googleWorkspaceSchema>;

/** activities.list: /admin/reports/v1/activity/users/{userKey}/applications/{applicationName}. */
const ACTIVITIES = /\/admin\/reports\/v1\/activity\/users\/[^/]+\/applications\/([^/]+)\/?$/;

function applicationOf(url: string): string | undefined {
  return ACTIVITIES.exec(new URL(url).pathname)?.[1];
}

function watermark(application: string | undefined, overlap?: number) {
  const lag = overlap ?? (APPLICATIONS.includes(application as Application) ? overlapFor(application as Application) : overlapFor('admin'));
  return { state_key: 'start_time', event_timestamp_path: 'id.time', param_name: 'startTime', overlap_secs: lag };
}

function refOf(config: GoogleWorkspaceConfig, prefix: 'credentials' | 'subject', what: string, defaultEnv: string): SecretRef {
  const [env, file, secret] = [config[`${prefix}_env`], config[`${prefix}_file`], config[`${prefix}_secret`]];
  const none = env === undefined && file === undefined && secret === undefined;
  return { what, prefix, keys: [`${prefix}_env`, `${prefix}_file`, `${prefix}_secret`], env: none ? defaultEnv : env, file, secret };
}

/** The credentials and subject must be readable, and the key file a service account key, before any request. */
function credentialProblems(refs: SecretRef[], ctx: ExpandContext): SourceProblem[] {
  if (!ctx.requireSecrets) return [];
  const problems: SourceProblem[] = [];
  for (const ref of refs) {
    const key = ref.file !== undefined ? `${ref.prefix}_file` : ref.env !== undefined ? `${ref.prefix}_env` : `${ref.prefix}_secret`;
    const hint = ref.prefix === 'credentials' ? CREDENTIALS_HINT : SUBJECT_HINT;
    let value: string;
    try {
      value = ctx.secrets.read(ref);
    } catch (err) {
      problems.push({ path: [key], message: isHelError(err) ? err.message : String(err), hint });
      continue;
    }
    if (ref.prefix === 'credentials') {
      const missing = keyFileProblem(value);
      if (missing !== undefined) problems.push({ path: [key], message: missing, hint: CREDENTIALS_HINT });
    } else if (!/^[^@\s]+@[^@\s]+$/.test(value)) {
      problems.push({ path: [key], message: 'the subject is not an email address', hint: SUBJECT_HINT });
    }
  }
  return problems;
}

/** What is wrong with a service account key, without quoting any of it. */
function keyFileProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'the service account credentials are not JSON';
  }
  const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const missing = ['client_email', 'private_key'].filter((k) => typeof o[k] !== 'string' || o[k] === '');
  return missing.length === 0 ? undefined : `the service account credentials miss ${missing.join(' and ')} (an OAuth client file is not a service account key)`;
}

/** Google Workspace Admin SDK Reports API: one source per application, a service account with domain-wide delegation. */
export const googleWorkspace: Integration<GoogleWorkspaceConfig> = {
  type: 'google_workspace',
  title: 'Google Workspace Reports API',
  schema: googleWorkspaceSchema,
  expand(name, config, ctx) {
    const credentials = refOf(config, 'credentials', 'service account JSON key', DEFAULT_CREDENTIALS_ENV);
    const subject = refOf(config, 'subject', 'delegated admin (subject)', DEFAULT_SUBJECT_ENV);
    const issues = credentialProblems([credentials, subject], ctx);
    const warnings: string[] = [];
    if (config.start_time !== undefined && ctx.now() - Date.parse(config.start_time) > RETENTION_DAYS * 86_400_000) {
      warnings.push(`${name}: start_time is more than ${RETENTION_DAYS} days back; the Reports API keeps about six months, so the first poll starts at the oldest retained activity`);
    }
    const base = (config.base_url ?? 'https://admin.googleapis.com').replace(/\/+$/, '');
    const budget = budgetName('google_workspace', base, credentials);
    const sources = [...new Set(config.applications)].map((application) =>
      finishSource(
        {
          url: `${base}/admin/reports/v1/activity/users/all/applications/${application}`,
          query_params: { maxResults: config.max_results, ...(config.start_time === undefined ? {} : { startTime: new Date(config.start_time).toISOString() }) },
          headers: { Accept: 'application/json' },
          schedule: { interval_secs: config.schedule?.interval_secs ?? 300, jitter_secs: config.schedule?.jitter_secs ?? 30 },
          auth: {
            type: 'google_service_account',
            credentials_env: credentials.env,
            credentials_file: credentials.file,
            credentials_secret: credentials.secret,
            subject_env: subject.env,
            subject_file: subject.file,
            subject_secret: subject.secret,
            scopes: [REPORTS_SCOPE],
          },
          pagination: { strategy: 'cursor', cursor_param: 'pageToken', cursor_path: 'nextPageToken', max_pages: 100 },
          resilience: { retries: { max_attempts: 6, initial_backoff_secs: 5, max_backoff_secs: 120 }, rate_limit: { respect_headers: true, budget, max_requests_per_minute: QUERIES_PER_MINUTE } },
          response_events_path: 'items',
          incremental_from: watermark(application, config.overlap_secs),
          dedupe: { id_path: 'id.uniqueQualifier', capacity: config.dedupe_capacity },
          timestamp_path: 'id.time',
        },
        `${name}-${application}`,
        name,
        'google_workspace',
        config.source_label_key ?? ctx.globalLabelKey,
        application,
      ),
    );
    return { sources, issues, warnings };
  },
  owns: (source) => applicationOf(source.url) !== undefined,
  applyDefaults: (source): ResolvedSource => ({
    ...source,
    response_events_path: source.response_events_path ?? 'items',
    incremental_from: source.incremental_from ?? watermark(applicationOf(source.url)),
    dedupe: source.dedupe ?? { id_path: 'id.uniqueQualifier', capacity: 100_000 },
    timestamp_path: source.timestamp_path ?? 'id.time',
    integration: { type: 'google_workspace', ...source.integration, stream: applicationOf(source.url) },
  }),
  check: (source) =>
    source.auth?.type === 'google_service_account' && !source.auth.scopes.some((s) => s === REPORTS_SCOPE || s === 'https://www.googleapis.com/auth/admin.reports.audit')
      ? [
          {
            path: ['auth', 'scopes'],
            message: `does not include ${REPORTS_SCOPE}`,
            hint: 'the Reports API answers 403 "insufficient authentication scopes" without it; add it here and to the domain-wide delegation of the service account',
          },
        ]
      : [],
  troubleshoot: googleHint,
  missingSecretHint: (ref) => (ref.prefix === 'subject' ? SUBJECT_HINT : CREDENTIALS_HINT),
  noEventsHint: 'nothing newer than the stored watermark (startTime) minus the overlap; Google lists activities minutes (Calendar: hours) after they happen, and keeps about six months.',
  connectionTest: () => Promise.resolve(checkGoogleConnection),
  mock: googleMockCommand,
};
