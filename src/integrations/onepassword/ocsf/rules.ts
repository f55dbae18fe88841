/**
 * Which OCSF class and activity every 1Password event goes to (shared/reference/ocsf §6.4).
 * These tables are the single source: the mappers read them, and docs/ocsf-ecs.md is generated
 * from them by test/e2e/docs/ocsf-ecs-table.test.ts.
 */
import { ACTIVITY_OTHER, ACTIVITY_UNKNOWN, OCSF_CLASSES, activityId, type OcsfClass } from '../../../pipeline/ocsf.js';

const { accountChange, entityManagement, userAccess, groupManagement, apiActivity } = OCSF_CLASSES;

/** Table A: audit `object_type` -> class; every other object type is Entity Management. */
export const OBJECT_TYPE_CLASSES: readonly { objectTypes: readonly string[]; cls: OcsfClass; note: string }[] = [
  { objectTypes: ['user', 'sa'], cls: accountChange, note: 'the user (sa: a service account, user.type_id 4 Service) is `user`' },
  { objectTypes: ['gm'], cls: groupManagement, note: 'group membership: `group.uid` = object_uuid, `user` = the aux user' },
  { objectTypes: ['group'], cls: groupManagement, note: 'the group itself' },
  { objectTypes: ['gva'], cls: groupManagement, note: 'group-vault access: `group` = the aux group, `resource` = the vault, `privileges` = [aux_id]' },
  { objectTypes: ['uva'], cls: userAccess, note: 'user-vault access: `user` = the aux user, `resources` = [the vault], `privileges` = [aux_id]' },
];
export const DEFAULT_AUDIT_CLASS: OcsfClass = entityManagement;

function auditClassOf(objectType: string | undefined): OcsfClass {
  return OBJECT_TYPE_CLASSES.find((r) => objectType !== undefined && r.objectTypes.includes(objectType))?.cls ?? DEFAULT_AUDIT_CLASS;
}

export interface AuditRule {
  action: string;
  cls: OcsfClass;
  activity: string;
  /** Only for these object types, overriding table A's class; absent: any object type whose class is `cls`. */
  objectTypes?: readonly string[];
}

const rule = (cls: OcsfClass, activity: string, actions: string[], objectTypes?: string[]): AuditRule[] =>
  actions.map((action) => ({ action, cls, activity, ...(objectTypes ? { objectTypes } : {}) }));

/** Table B, the pairs that have an activity of their own; every other pair is 99 Other of table A's class. */
export const AUDIT_RULES: readonly AuditRule[] = [
  ...rule(accountChange, 'Create', ['create']),
  ...rule(accountChange, 'Enable', ['activate', 'reactive']),
  ...rule(accountChange, 'Password Change', ['changemp']),
  ...rule(accountChange, 'Password Reset', ['beginr', 'completr']),
  ...rule(accountChange, 'Disable', ['suspend']),
  ...rule(accountChange, 'Delete', ['delete']),
  ...rule(accountChange, 'MFA Factor Enable', ['enblmfa']),
  ...rule(accountChange, 'MFA Factor Disable', ['disblmfa']),
  ...rule(groupManagement, 'Assign Privileges', ['grant']),
  ...rule(groupManagement, 'Revoke Privileges', ['revoke']),
  ...rule(groupManagement, 'Add User', ['join']),
  ...rule(groupManagement, 'Remove User', ['leave']),
  ...rule(groupManagement, 'Delete', ['delete']),
  ...rule(groupManagement, 'Create', ['create']),
  ...rule(userAccess, 'Assign Privileges', ['grant']),
  ...rule(userAccess, 'Revoke Privileges', ['revoke']),
  ...rule(entityManagement, 'Unenroll', ['dealldev', 'deolddev'], ['user']),
  ...rule(entityManagement, 'Create', ['create']),
  ...rule(entityManagement, 'Read', ['view']),
  ...rule(entityManagement, 'Update', ['addgsso', 'chngasso', 'chngdsso', 'chngpsso', 'delgsso', 'patch', 'replace', 'updatduo', 'update', 'updatea', 'updatfw', 'updatmfa']),
  ...rule(entityManagement, 'Delete', ['delete', 'purge']),
  ...rule(entityManagement, 'Move', ['changenm', 'trename']),
  ...rule(entityManagement, 'Unenroll', ['dealldev', 'deolddev']),
  ...rule(entityManagement, 'Enable', ['activate', 'enblduo', 'enblmfa', 'enblsso']),
  ...rule(entityManagement, 'Disable', ['disblduo', 'disblmfa', 'disblsso']),
];

/** The action 1Password itself uses when it cannot say: activity 0 Unknown, not 99 Other. */
export const UNKNOWN_ACTION = 'unknown';

type AuditActivity = { cls: OcsfClass; activity: number };
/** Decided pairs; bounded, as both values come from the API (an open enum). */
const decided = new Map<string, AuditActivity>();
const DECIDED_CAP = 4096;

/** Class and activity id of an audit event. */
export function auditActivity(action: string | undefined, objectType: string | undefined): AuditActivity {
  const key = `${action ?? ''}\u0000${objectType ?? ''}`;
  let found = decided.get(key);
  if (found === undefined) {
    if (decided.size >= DECIDED_CAP) decided.clear();
    decided.set(key, (found = decideAuditActivity(action, objectType)));
  }
  return found;
}

function decideAuditActivity(action: string | undefined, objectType: string | undefined): AuditActivity {
  if (action !== undefined && objectType !== undefined) {
    const override = AUDIT_RULES.find((r) => r.action === action && r.objectTypes?.includes(objectType));
    if (override) return { cls: override.cls, activity: activityId(override.cls, override.activity) };
  }
  const cls = auditClassOf(objectType);
  const hit = AUDIT_RULES.find((r) => r.action === action && r.cls === cls && r.objectTypes === undefined);
  if (hit) return { cls, activity: activityId(cls, hit.activity) };
  return { cls, activity: action === UNKNOWN_ACTION || action === undefined ? ACTIVITY_UNKNOWN : ACTIVITY_OTHER };
}

/** Table C: item usage `action` -> API Activity; other actions are 99 Other. */
export const ITEM_USAGE_ACTIVITIES: Readonly<Record<string, string>> = {
  'server-create': 'Create',
  export: 'Read',
  fill: 'Read',
  reveal: 'Read',
  'secure-copy': 'Read',
  'server-fetch': 'Read',
  'server-update': 'Update',
  other: 'Unknown',
};

export function itemUsageActivity(action: string | undefined): number {
  const caption = action === undefined ? 'Unknown' : ITEM_USAGE_ACTIVITIES[action];
  return caption === undefined ? ACTIVITY_OTHER : activityId(apiActivity, caption);
}

/** Table D: sign-in `category` -> status of the Logon; an unknown category is status 99 Other carrying the category. */
export const SIGN_IN_OUTCOMES: Readonly<Record<string, 'success' | 'failure'>> = {
  success: 'success',
  firewall_reported_success: 'success',
  credentials_failed: 'failure',
  mfa_failed: 'failure',
  sso_failed: 'failure',
  modern_version_failed: 'failure',
  firewall_failed: 'failure',
};

/** Audit actions of the Events API 1.4.1 (reference §11.7); the docs table lists each. The enum is open. */
export const DOCUMENTED_AUDIT_ACTIONS: readonly string[] = (
  'activate addgsso begin beginr cancel cancelr changeks changela changemp changenm changesk chngasso chngdsso chngpsso complete completr ' +
  'convert create dealldev delete delgsso delshare deolddev detchild disblduo disblmfa disblsso dlgsess dvrfydmn enblduo enblmfa enblsso ' +
  'expire export grant hide join launchi leave musercom muserdec patch propose provsn prsndall purge rdmchild reactive reauth replace ' +
  'resendts revoke role sdvcsso sendpkg sendts share ssotknv suspend tdvcsso trename trevoke trvlaway trvlback tverify uisas unhide ' +
  'unknown unlink updatduo update updatea updatfw updatmfa upguest uvrfydmn verify view vrfydmn'
).split(' ');

/** Audit object types of the Events API (reference §11.8). The enum is open. */
export const DOCUMENTED_OBJECT_TYPES: readonly string[] = (
  'account card cred device dlgdsess ec famchild file gm group gva invite item itemhist items miguser mngdacc pm report sa satoken ' + 'slackapp sso ssotkn sub template user uva vault vaultkey'
).split(' ');
