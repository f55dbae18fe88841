/** 1Password audit events -> OCSF 3001 / 3004 / 3005 / 3006 (reference §6.2, tables A and B). */
import type { MapContext, MappingOptions } from '../../../pipeline/mappings.js';
import { Leftovers, isNonEmptyString } from '../../../pipeline/leftovers.js';
import { OCSF_CLASSES, STATUS, classification, epochMs, type OcsfClass } from '../../../pipeline/ocsf.js';
import { auditActivity } from './rules.js';
import { SERVICE_ACCOUNT_TYPE, baseAttributes, close, sourceEndpoint, takeUser, userType, who } from './common.js';

type Json = Record<string, unknown>;

/** Stands in for an identifier the class requires and the event lacks, so the event still validates. */
export const PLACEHOLDER = 'unknown';

/** OCSF managed_entity.type_id of a 1Password object type; 99 Other carries the object type itself. */
function entityType(objectType: string | undefined): { type_id: number; type: string } {
  switch (objectType) {
    case undefined:
      return { type_id: 0, type: 'Unknown' };
    case 'device':
      return { type_id: 1, type: 'Device' };
    case 'user':
      return { type_id: 2, type: 'User' };
    case 'group':
      return { type_id: 3, type: 'Group' };
    case 'account':
      return { type_id: 4, type: 'Organization' };
    default:
      return { type_id: 99, type: objectType };
  }
}

const privilegesOf = (aclBits: number | undefined): string[] => (aclBits === undefined ? [] : [String(aclBits)]);

/** The attributes that name what the action was done to, per class. */
function target(cls: OcsfClass, objectType: string | undefined, rest: Leftovers): Json {
  const objectUuid = rest.string('object_uuid');
  switch (cls.uid) {
    case OCSF_CLASSES.accountChange.uid: {
      const user = takeUser(rest, 'object_details', objectUuid) ?? { uid: PLACEHOLDER };
      if (objectType === 'sa' && user.type_id === undefined) Object.assign(user, SERVICE_ACCOUNT_TYPE);
      return { user };
    }
    case OCSF_CLASSES.userAccess.uid: {
      const user = takeUser(rest, 'aux_details', rest.string('aux_uuid')) ?? { uid: PLACEHOLDER };
      return { user, privileges: privilegesOf(rest.integer('aux_id')), resources: [{ uid: objectUuid ?? PLACEHOLDER, type: 'vault' }] };
    }
    case OCSF_CLASSES.groupManagement.uid: {
      if (objectType === 'gva') {
        const bits = rest.integer('aux_id');
        return {
          group: { uid: rest.string('aux_uuid') ?? PLACEHOLDER },
          resource: { uid: objectUuid ?? PLACEHOLDER, type: 'vault' },
          ...(bits !== undefined ? { privileges: privilegesOf(bits) } : {}),
        };
      }
      const user = objectType === 'gm' ? takeUser(rest, 'aux_details', rest.string('aux_uuid')) : undefined;
      return { group: { uid: objectUuid ?? PLACEHOLDER }, ...(user ? { user } : {}) };
    }
    default: {
      // object_details exists only when the object is a user (e.g. dealldev on a user's devices)
      const user = rest.peek('object_details') === undefined ? undefined : takeUser(rest, 'object_details', objectUuid);
      return { entity: { uid: objectUuid ?? PLACEHOLDER, ...entityType(objectType), ...(user ? { user } : {}) } };
    }
  }
}

/** The actor: who (actor_uuid, actor_details, actor_type, actor_account_uuid) and in which session. */
function actorOf(rest: Leftovers): { actor?: Json; dated: boolean } {
  const user = takeUser(rest, 'actor_details', rest.string('actor_uuid'), false);
  const type = rest.string('actor_type');
  const account = rest.string('actor_account_uuid');
  const fullUser = user || type || account ? { ...(user ?? { uid: PLACEHOLDER }), ...(type ? userType(type) : {}), ...(account ? { account: { uid: account } } : {}) } : undefined;
  const sessionUid = rest.string('session', 'uuid');
  const loginText = rest.takeIf((v): v is string => isNonEmptyString(v) && epochMs(v) !== undefined, 'session', 'login_time');
  const session = sessionUid || loginText ? { ...(sessionUid ? { uid: sessionUid } : {}), ...(loginText ? { created_time: epochMs(loginText), created_time_dt: loginText } : {}) } : undefined;
  if (!fullUser && !session) return { dated: false };
  return { actor: { ...(fullUser ? { user: fullUser } : {}), ...(session ? { session } : {}) }, dated: loginText !== undefined };
}

export function mapAuditEvent(event: Json, context: MapContext, options: MappingOptions): Json {
  const rest = new Leftovers(event);
  const action = rest.string('action');
  // object_type has no OCSF attribute of its own (3004 repeats it in entity.type): it stays in unmapped.
  const objectType = rest.peek('object_type');
  const kind = typeof objectType === 'string' ? objectType : undefined;
  const { cls, activity } = auditActivity(action, kind);
  const about = target(cls, kind, rest);
  const { actor, dated } = actorOf(rest);
  const src = sourceEndpoint(rest, ['session', 'ip'], false);
  const deviceUid = rest.string('session', 'device_uuid');
  const profiles = [...(dated ? ['datetime'] : []), ...(deviceUid ? ['host'] : [])];
  const base = baseAttributes(rest, 'auditevents', context, options, { eventCode: action, ...(profiles.length > 0 ? { profiles } : {}) });
  const out = classification(cls, activity, action);
  out.time = base.time;
  out.metadata = base.metadata;
  out.severity_id = base.severity_id;
  out.severity = base.severity;
  out.message = `${who(actor?.user as Json | undefined)}: ${action ?? 'unknown action'} ${kind ?? 'unknown object'}`;
  out.status_id = STATUS.success.status_id;
  out.status = STATUS.success.status;
  if (actor) out.actor = actor;
  if (src) out.src_endpoint = src;
  if (deviceUid) out.device = { uid: deviceUid, type_id: 0, type: 'Unknown' };
  for (const key of Object.keys(about)) out[key] = about[key];
  return close(out, rest, event, options);
}
