import type { Failure } from '../../http/failure.js';

const DELEGATION = 'admin.google.com > Security > Access and data control > API controls > Manage Domain Wide Delegation';

/** The `error` of a token endpoint body, or Google's `error.errors[0].reason` (and message) of an API body. */
function googleError(body: Buffer | undefined): { error?: string; description?: string; reason?: string } {
  if (body === undefined) return {};
  try {
    const parsed = JSON.parse(body.subarray(0, 16_384).toString('utf8')) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error === 'string') return { error: parsed.error, description: typeof parsed.error_description === 'string' ? parsed.error_description : undefined };
    const api = parsed.error as { errors?: { reason?: unknown }[]; message?: unknown; details?: { reason?: unknown }[] } | undefined;
    const reason = api?.details?.find((d) => typeof d.reason === 'string')?.reason ?? api?.errors?.[0]?.reason;
    return { reason: typeof reason === 'string' ? reason : undefined, description: typeof api?.message === 'string' ? api.message : undefined };
  } catch {
    return {};
  }
}

/**
 * Google's failures with what to do about them: the token endpoint's OAuth errors (delegation not
 * granted, a deleted key, a wrong subject, a skewed clock) and the Reports API's reasons (missing
 * scope, a subject without admin rights, the API not enabled, quotas).
 */
export function googleHint(failure: Failure): string | undefined {
  const { error, description = '', reason } = googleError(failure.body);
  if (error === 'unauthorized_client') {
    return `domain-wide delegation is not granted for this scope: in ${DELEGATION}, add the service account's numeric Client ID with https://www.googleapis.com/auth/admin.reports.audit.readonly (changes can take some minutes to apply)`;
  }
  if (error === 'invalid_grant') {
    if (/signature/i.test(description))
      return 'the key in the credentials was deleted or disabled, or belongs to another service account: create a new JSON key (Service account > Keys) and replace the file';
    if (/email or user id/i.test(description)) return 'the subject is not a user of the domain: set subject_env/subject_file to the email of a Workspace admin';
    if (/short-lived|timeframe|iat|exp/i.test(description)) return "this machine's clock is off by minutes: the assertion's iat/exp are out of Google's window; synchronise the clock (NTP)";
    if (/not found/i.test(description)) return 'the service account no longer exists: create a new one and its key';
    return 'Google refused the service account assertion: check the key file, the subject and the system clock';
  }
  if (error === 'invalid_scope') return 'the scopes are empty or unknown: use https://www.googleapis.com/auth/admin.reports.audit.readonly';
  if (failure.status === undefined) return undefined;
  if (failure.rateLimited || reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded' || reason === 'quotaExceeded' || failure.status === 429) {
    return 'Admin SDK quota (2,400 queries per minute per user per project by default; Cloud console > IAM & Admin > Quotas): Google sends no Retry-After, so Hel backs off exponentially from 5 s; if it recurs, collect fewer applications from one project or raise schedule.interval_secs';
  }
  if (failure.status === 401) return 'Google refused the access token (expired or revoked); Hel fetched a new one and was refused again: check that the service account and its key still exist';
  if (failure.status === 403) {
    if (reason === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' || reason === 'insufficientPermissions')
      return 'the token lacks the Reports scope: add https://www.googleapis.com/auth/admin.reports.audit.readonly to auth.scopes and to the domain-wide delegation';
    if (reason === 'accessNotConfigured' || reason === 'SERVICE_DISABLED')
      return "the Admin SDK API is not enabled in the service account's project: Cloud console > APIs & Services > Library > Admin SDK API > Enable";
    return 'the subject may not read reports: it must be a Workspace admin with the Reports privilege (a service account without subject is never one); set subject_env to a super admin email';
  }
  if (failure.status === 400)
    return failure.carriesCursor
      ? 'Google rejected the stored pageToken: clear it with hel state reset SOURCE; the watermark on startTime resumes the rest'
      : 'Google rejected the query: applicationName must be a Reports application, startTime RFC 3339, maxResults 1-1000';
  if (failure.status === 503) return 'Google answers 503 when a quota is exceeded or the backend is busy; Hel retries with backoff';
  return undefined;
}
