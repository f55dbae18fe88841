/** 1Password item usages -> OCSF 6003 API Activity (reference §6.3, table C). */
import type { MapContext, MappingOptions } from '../../../pipeline/mappings.js';
import { Leftovers } from '../../../pipeline/leftovers.js';
import { OCSF_CLASSES, STATUS, classification } from '../../../pipeline/ocsf.js';
import { itemUsageActivity } from './rules.js';
import { PLACEHOLDER } from './audit.js';
import { baseAttributes, close, sourceEndpoint, takeUser, who } from './common.js';

type Json = Record<string, unknown>;

export function mapItemUsage(event: Json, context: MapContext, options: MappingOptions): Json {
  const rest = new Leftovers(event);
  const action = rest.string('action');
  const user = takeUser(rest, 'user');
  const app = rest.string('client', 'app_name');
  const src = sourceEndpoint(rest, ['client', 'ip_address'], true);
  const item = rest.string('item_uuid');
  const version = rest.integer('used_version');
  const vault = rest.string('vault_uuid');
  const resources = [
    ...(item !== undefined ? [{ uid: item, type: 'item', ...(version !== undefined ? { version: String(version) } : {}) }] : []),
    ...(vault !== undefined ? [{ uid: vault, type: 'vault' }] : []),
  ];
  const base = baseAttributes(rest, 'itemusages', context, options, { eventCode: action });
  // 6003 requires an actor and a source endpoint; 1Password always sends both, a placeholder keeps odd events valid.
  const actor = user || app ? { ...(user ? { user } : {}), ...(app ? { app_name: app } : {}) } : { user: { uid: PLACEHOLDER } };
  const out = classification(OCSF_CLASSES.apiActivity, itemUsageActivity(action), action);
  out.time = base.time;
  out.metadata = base.metadata;
  out.severity_id = base.severity_id;
  out.severity = base.severity;
  out.message = `${who(user)}: ${action ?? 'unknown action'} item ${item ?? PLACEHOLDER}${vault ? ` in vault ${vault}` : ''}`;
  out.status_id = STATUS.success.status_id;
  out.status = STATUS.success.status;
  out.actor = actor;
  out.api = { operation: action ?? PLACEHOLDER };
  out.src_endpoint = src ?? { name: PLACEHOLDER };
  if (resources.length > 0) out.resources = resources;
  return close(out, rest, event, options);
}
