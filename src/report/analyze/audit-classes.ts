import { field, type RawEvent } from '../event.js';

/** Which report section an audit event belongs to; every audit event lands in exactly one. */
export type AuditSection = 'admin' | 'membership' | 'vault-access' | 'other';

/** Object types whose every change is administrative (account settings, SSO, integrations, tokens). */
const ADMIN_OBJECT_TYPES: Record<string, string> = {
  account: 'Account settings',
  sub: 'Account settings',
  mngdacc: 'Account settings',
  sso: 'Single sign-on',
  ssotkn: 'Single sign-on',
  sa: 'Integrations and tokens',
  satoken: 'Integrations and tokens',
  slackapp: 'Integrations and tokens',
  dlgdsess: 'Integrations and tokens',
  group: 'Groups and roles',
  report: 'Account settings',
  template: 'Account settings',
};

/** Actions that are administrative on any object type (MFA, SSO, firewall, roles, domains, travel mode). */
const ADMIN_ACTIONS: Record<string, string> = {
  enblmfa: 'MFA and security policy',
  disblmfa: 'MFA and security policy',
  updatmfa: 'MFA and security policy',
  enblduo: 'MFA and security policy',
  disblduo: 'MFA and security policy',
  updatduo: 'MFA and security policy',
  updatfw: 'MFA and security policy',
  enblsso: 'Single sign-on',
  disblsso: 'Single sign-on',
  chngasso: 'Single sign-on',
  chngdsso: 'Single sign-on',
  chngpsso: 'Single sign-on',
  addgsso: 'Single sign-on',
  delgsso: 'Single sign-on',
  sdvcsso: 'Single sign-on',
  tdvcsso: 'Single sign-on',
  ssotknv: 'Single sign-on',
  role: 'Groups and roles',
  upguest: 'Groups and roles',
  vrfydmn: 'Domain verification',
  dvrfydmn: 'Domain verification',
  uvrfydmn: 'Domain verification',
  trvlaway: 'Travel mode',
  trvlback: 'Travel mode',
  dealldev: 'Devices',
  uisas: 'Account settings',
  changela: 'Account settings',
  updatea: 'Account settings',
};

const MEMBERSHIP_OBJECT_TYPES = new Set(['user', 'invite', 'gm']);
const VAULT_ACCESS_OBJECT_TYPES = new Set(['uva', 'gva']);

/**
 * Vault grants, team membership and admin changes are checked in that order, so a group-membership
 * role change (`gm`/`role`) stays with membership and a `user`/`role` change counts as admin.
 */
export function auditSectionOf(event: RawEvent): AuditSection {
  const objectType = field(event, 'object_type') ?? '';
  const action = field(event, 'action') ?? '';
  if (VAULT_ACCESS_OBJECT_TYPES.has(objectType)) return 'vault-access';
  if (objectType === 'gm') return 'membership';
  if (adminCategoryOf(event) !== undefined) return 'admin';
  if (MEMBERSHIP_OBJECT_TYPES.has(objectType) && membershipChangeOf(objectType, action) !== undefined) return 'membership';
  return 'other';
}

export function adminCategoryOf(event: RawEvent): string | undefined {
  const objectType = field(event, 'object_type') ?? '';
  const action = field(event, 'action') ?? '';
  return ADMIN_ACTIONS[action] ?? ADMIN_OBJECT_TYPES[objectType];
}

/** Team-membership changes by (object_type, action); labels are what the report shows. */
const MEMBERSHIP_CHANGES: Record<string, string> = {
  'invite/create': 'invited',
  'invite/resendts': 'invited',
  'invite/update': 'invitation updated',
  'invite/delete': 'invitation deleted',
  'invite/expire': 'invitation expired',
  // Not in the documented enum (1.4.1); kept readable in case an account still sends them.
  'user/invite': 'invited',
  'user/confirm': 'confirmed',
  'user/create': 'created',
  'user/provsn': 'provisioned',
  'user/propose': 'proposed',
  'user/join': 'joined',
  'user/verify': 'confirmed',
  'user/activate': 'confirmed',
  'user/suspend': 'suspended',
  'user/reactive': 'reactivated',
  'user/delete': 'deleted',
  'user/purge': 'deleted',
  'user/beginr': 'recovery started',
  'user/completr': 'recovery completed',
  'user/cancelr': 'recovery cancelled',
  'gm/join': 'joined group',
  'gm/leave': 'left group',
  'gm/role': 'group role changed',
};

export function membershipChangeOf(objectType: string, action: string): string | undefined {
  return MEMBERSHIP_CHANGES[`${objectType}/${action}`];
}

/** The summary figures the brief asks for, in display order. */
export const MEMBERSHIP_HEADLINE = ['invited', 'joined', 'confirmed', 'suspended', 'reactivated', 'deleted', 'joined group', 'left group'] as const;
