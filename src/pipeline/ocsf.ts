/**
 * The parts of OCSF 1.8.0 that any integration's OCSF mapper shares: the classes Hel maps to,
 * their activities with the schema's exact captions, and the classification attributes every
 * event carries. The test suite checks these captions against the schema extract.
 */
export const OCSF_VERSION = '1.8.0';

export interface OcsfClass {
  uid: number;
  caption: string;
  categoryUid: number;
  categoryCaption: string;
  /** activity_id -> caption */
  activities: Readonly<Record<number, string>>;
}

const IAM = { categoryUid: 3, categoryCaption: 'Identity & Access Management' } as const;

export const OCSF_CLASSES = {
  accountChange: {
    uid: 3001,
    caption: 'Account Change',
    ...IAM,
    activities: {
      0: 'Unknown',
      1: 'Create',
      2: 'Enable',
      3: 'Password Change',
      4: 'Password Reset',
      5: 'Disable',
      6: 'Delete',
      7: 'Attach Policy',
      8: 'Detach Policy',
      9: 'Lock',
      10: 'MFA Factor Enable',
      11: 'MFA Factor Disable',
      12: 'Unlock',
      99: 'Other',
    },
  },
  authentication: {
    uid: 3002,
    caption: 'Authentication',
    ...IAM,
    activities: { 0: 'Unknown', 1: 'Logon', 2: 'Logoff', 3: 'Authentication Ticket', 4: 'Service Ticket Request', 5: 'Service Ticket Renew', 6: 'Preauth', 7: 'Account Switch', 99: 'Other' },
  },
  entityManagement: {
    uid: 3004,
    caption: 'Entity Management',
    ...IAM,
    activities: {
      0: 'Unknown',
      1: 'Create',
      2: 'Read',
      3: 'Update',
      4: 'Delete',
      5: 'Move',
      6: 'Enroll',
      7: 'Unenroll',
      8: 'Enable',
      9: 'Disable',
      10: 'Activate',
      11: 'Deactivate',
      12: 'Suspend',
      13: 'Resume',
      99: 'Other',
    },
  },
  userAccess: {
    uid: 3005,
    caption: 'User Access Management',
    ...IAM,
    activities: { 0: 'Unknown', 1: 'Assign Privileges', 2: 'Revoke Privileges', 99: 'Other' },
  },
  groupManagement: {
    uid: 3006,
    caption: 'Group Management',
    ...IAM,
    activities: { 0: 'Unknown', 1: 'Assign Privileges', 2: 'Revoke Privileges', 3: 'Add User', 4: 'Remove User', 5: 'Delete', 6: 'Create', 7: 'Add Subgroup', 8: 'Remove Subgroup', 99: 'Other' },
  },
  apiActivity: {
    uid: 6003,
    caption: 'API Activity',
    categoryUid: 6,
    categoryCaption: 'Application Activity',
    activities: { 0: 'Unknown', 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 99: 'Other' },
  },
} as const satisfies Record<string, OcsfClass>;

export const OCSF_CLASS_LIST: readonly OcsfClass[] = Object.values(OCSF_CLASSES);

export const ACTIVITY_UNKNOWN = 0;
export const ACTIVITY_OTHER = 99;

/** The activity id of a caption in a class; throws on a caption the class lacks (a mapping table typo). */
export function activityId(cls: OcsfClass, caption: string): number {
  let ids = activityIds.get(cls);
  if (ids === undefined) activityIds.set(cls, (ids = new Map(Object.entries(cls.activities).map(([id, name]) => [name, Number(id)]))));
  const id = ids.get(caption);
  if (id === undefined) throw new Error(`OCSF class ${cls.uid} ${cls.caption} has no activity ${JSON.stringify(caption)}`);
  return id;
}
const activityIds = new WeakMap<OcsfClass, Map<string, number>>();

/**
 * class/category/activity/type attributes with their captions. For 99 Other the activity name is
 * the source's own value, as the schema asks ("See the activity_name attribute"); type_name stays
 * the schema's caption ("Account Change: Other").
 */
export function classification(cls: OcsfClass, activity: number, sourceValue?: string): Record<string, unknown> {
  const caption = cls.activities[activity] ?? 'Other';
  const name = activity === ACTIVITY_OTHER && sourceValue !== undefined ? sourceValue : caption;
  return {
    class_uid: cls.uid,
    class_name: cls.caption,
    category_uid: cls.categoryUid,
    category_name: cls.categoryCaption,
    activity_id: activity,
    activity_name: name,
    type_uid: cls.uid * 100 + activity,
    // the type_uid enum caption: always the activity's caption, even for 99
    type_name: `${cls.caption}: ${caption}`,
  };
}

export const SEVERITY_INFORMATIONAL = { severity_id: 1, severity: 'Informational' } as const;
export const STATUS = {
  success: { status_id: 1, status: 'Success' },
  failure: { status_id: 2, status: 'Failure' },
} as const;

/** OCSF `os.type_id` of an operating system name as vendors spell it; 99 Other keeps the name as `type`. */
export function osType(name: string): { type_id: number; type: string } {
  const key = name.toLowerCase().replace(/[\s_-]/g, '');
  const known: Record<string, [number, string]> = {
    windows: [100, 'Windows'],
    linux: [200, 'Linux'],
    android: [201, 'Android'],
    macosx: [300, 'macOS'],
    macos: [300, 'macOS'],
    osx: [300, 'macOS'],
    ios: [301, 'iOS'],
    ipados: [302, 'iPadOS'],
  };
  const hit = known[key];
  return hit ? { type_id: hit[0], type: hit[1] } : { type_id: 99, type: name };
}

/** Milliseconds since the epoch of an RFC 3339 time (any precision, any offset), or undefined. */
export function epochMs(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
