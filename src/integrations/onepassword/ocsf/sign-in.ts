/** 1Password sign-in attempts -> OCSF 3002 Authentication, activity 1 Logon (reference §6.1, table D). */
import type { MapContext, MappingOptions } from '../../../pipeline/mappings.js';
import { Leftovers } from '../../../pipeline/leftovers.js';
import { ACTIVITY_OTHER, OCSF_CLASSES, STATUS, activityId, classification } from '../../../pipeline/ocsf.js';
import { SIGN_IN_OUTCOMES } from './rules.js';
import { PLACEHOLDER } from './audit.js';
import { baseAttributes, close, sourceEndpoint, takeUser, who } from './common.js';

type Json = Record<string, unknown>;

const LOGON = activityId(OCSF_CLASSES.authentication, 'Logon');
/** The sign-in is to 1Password itself; the class needs a service or a destination. */
const SIGN_IN_SERVICE = { name: '1Password' } as const;

function statusOf(category: string | undefined): { status_id: number; status: string } {
  const outcome = category === undefined ? undefined : SIGN_IN_OUTCOMES[category];
  if (outcome !== undefined) return STATUS[outcome];
  return category === undefined ? { status_id: 0, status: 'Unknown' } : { status_id: ACTIVITY_OTHER, status: category };
}

export function mapSignInAttempt(event: Json, context: MapContext, options: MappingOptions): Json {
  const rest = new Leftovers(event);
  const category = rest.string('category');
  const type = rest.string('type');
  const user = takeUser(rest, 'target_user') ?? { uid: PLACEHOLDER };
  const session = rest.string('session_uuid');
  const app = rest.string('client', 'app_name');
  const src = sourceEndpoint(rest, ['client', 'ip_address'], true);
  const base = baseAttributes(rest, 'signinattempts', context, options);
  const out = classification(OCSF_CLASSES.authentication, LOGON);
  out.time = base.time;
  out.metadata = base.metadata;
  out.severity_id = base.severity_id;
  out.severity = base.severity;
  out.message = `Sign-in ${category ?? 'attempt'}${type ? ` (${type})` : ''} for ${who(user)}`;
  const status = statusOf(category);
  out.status_id = status.status_id;
  out.status = status.status;
  if (category !== undefined) out.status_code = category;
  if (type !== undefined) out.status_detail = type;
  out.user = user;
  if (session !== undefined) out.session = { uid: session };
  if (app !== undefined) out.actor = { app_name: app };
  if (src) out.src_endpoint = src;
  out.service = { ...SIGN_IN_SERVICE };
  return close(out, rest, event, options);
}
