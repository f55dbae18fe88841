/** The Reports API scope that reads every application's activities. */
export const REPORTS_SCOPE = 'https://www.googleapis.com/auth/admin.reports.audit.readonly';

/** applicationName values of activities.list (Admin SDK Reports API v1). */
export const APPLICATIONS = [
  'access_transparency',
  'admin',
  'assignments',
  'calendar',
  'chat',
  'chrome',
  'classroom',
  'cloud_search',
  'context_aware_access',
  'data_studio',
  'drive',
  'gcp',
  'gemini_in_workspace_apps',
  'gplus',
  'graduation',
  'groups',
  'groups_enterprise',
  'jamboard',
  'keep',
  'login',
  'meet',
  'mobile',
  'profile',
  'rules',
  'saml',
  'tasks',
  'token',
  'user_accounts',
  'vault',
] as const;
export type Application = (typeof APPLICATIONS)[number];

/**
 * How late Google lists an application's activities (support.google.com/a/answer/7061566: most are
 * "near real time (couple of minutes)", Calendar tens of minutes up to a couple of hours, Cloud
 * Search and a few others up to a few hours). A poll asks this far behind its watermark.
 */
const LONG_LAG_SECS: Partial<Record<Application, number>> = {
  calendar: 3 * 3600,
  cloud_search: 6 * 3600,
  gplus: 6 * 3600,
  jamboard: 6 * 3600,
};
const DEFAULT_LAG_SECS = 15 * 60;

export function overlapFor(application: Application): number {
  return LONG_LAG_SECS[application] ?? DEFAULT_LAG_SECS;
}
