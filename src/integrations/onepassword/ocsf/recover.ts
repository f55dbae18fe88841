/**
 * OCSF lines Hel wrote back into 1Password events, for `hel report`. With `raw_data` the event
 * is exact; without it, it is rebuilt from the mapped attributes plus `unmapped`, which the
 * round-trip test proves equal to the original for the whole mock data set.
 */
import type { RecoveredEvent } from '../../../pipeline/mappings.js';
import { isObject, keptEvent, mergeUnder, setPath } from '../../../pipeline/leftovers.js';
import { OCSF_CLASSES } from '../../../pipeline/ocsf.js';
import { LOG_PROVIDER, PRODUCT, type OnePasswordStream } from './common.js';
import { PLACEHOLDER } from './audit.js';

type Json = Record<string, unknown>;

const STREAMS: readonly OnePasswordStream[] = ['auditevents', 'signinattempts', 'itemusages'];

const obj = (v: unknown): Json | undefined => (isObject(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** An identifier; the placeholder a mapper put where the event had none is no identifier. */
const ident = (v: unknown): string | undefined => (str(v) !== PLACEHOLDER ? str(v) : undefined);

/** An OCSF user back into a 1Password user object under `key`, and its uid into `uidKey` when given. */
function restoreUser(out: Json, user: unknown, key: string, uidKey?: string, typeAndAccount = true): void {
  const u = obj(user);
  if (u === undefined) return;
  const uid = ident(u.uid);
  if (uidKey !== undefined) setPath(out, [uidKey], uid);
  const details: Json = {};
  if (uid !== undefined) details.uuid = uid;
  if (str(u.full_name) !== undefined) details.name = u.full_name;
  if (str(u.email_addr) !== undefined) details.email = u.email_addr;
  if (typeAndAccount) {
    if (u.type_id === 1) details.user_type = 'user';
    else if (u.type_id === 99 && str(u.type) !== undefined) details.user_type = u.type;
    const account = str(obj(u.account)?.uid);
    if (account !== undefined) details.user_account_uuid = account;
  }
  const described = Object.keys(details).some((k) => k !== 'uuid');
  if (described || uidKey === undefined) {
    if (Object.keys(details).length > 0) out[key] = details;
  }
}

function restoreLocation(out: Json, endpoint: Json | undefined): void {
  const loc = obj(endpoint?.location);
  if (loc === undefined) return;
  const location: Json = {};
  for (const k of ['country', 'region', 'city'] as const) if (loc[k] !== undefined) location[k] = loc[k];
  if (loc.lat !== undefined) location.latitude = loc.lat;
  if (loc.long !== undefined) location.longitude = loc.long;
  out.location = location;
}

function restoreClient(out: Json, line: Json, appName: unknown): void {
  const src = obj(line.src_endpoint);
  setPath(out, ['client', 'app_name'], str(appName));
  setPath(out, ['client', 'ip_address'], str(src?.ip));
  const os = obj(src?.os);
  setPath(out, ['client', 'os_name'], str(os?.name));
  setPath(out, ['client', 'os_version'], str(os?.version));
  restoreLocation(out, src);
}

function restoreAudit(out: Json, line: Json): void {
  const md = obj(line.metadata);
  setPath(out, ['action'], str(md?.event_code));
  const actor = obj(line.actor);
  const actorUser = obj(actor?.user);
  restoreUser(out, actorUser, 'actor_details', 'actor_uuid', false);
  if (actorUser?.type_id === 1) out.actor_type = 'user';
  else if (actorUser?.type_id === 99) setPath(out, ['actor_type'], str(actorUser.type));
  setPath(out, ['actor_account_uuid'], str(obj(actorUser?.account)?.uid));
  const session = obj(actor?.session);
  setPath(out, ['session', 'uuid'], str(session?.uid));
  setPath(out, ['session', 'login_time'], str(session?.created_time_dt));
  setPath(out, ['session', 'device_uuid'], str(obj(line.device)?.uid));
  const src = obj(line.src_endpoint);
  setPath(out, ['session', 'ip'], str(src?.ip));
  restoreLocation(out, src);

  const objectType = obj(line.unmapped)?.object_type;
  switch (line.class_uid) {
    case OCSF_CLASSES.accountChange.uid:
      restoreUser(out, line.user, 'object_details', 'object_uuid');
      break;
    case OCSF_CLASSES.userAccess.uid:
      restoreUser(out, line.user, 'aux_details', 'aux_uuid');
      restoreBits(out, line.privileges);
      setPath(out, ['object_uuid'], ident(obj((line.resources as unknown[] | undefined)?.[0])?.uid));
      break;
    case OCSF_CLASSES.groupManagement.uid:
      if (objectType === 'gva') {
        setPath(out, ['aux_uuid'], ident(obj(line.group)?.uid));
        setPath(out, ['object_uuid'], ident(obj(line.resource)?.uid));
        restoreBits(out, line.privileges);
      } else {
        setPath(out, ['object_uuid'], ident(obj(line.group)?.uid));
        restoreUser(out, line.user, 'aux_details', 'aux_uuid');
      }
      break;
    default: {
      const entity = obj(line.entity);
      setPath(out, ['object_uuid'], ident(entity?.uid));
      restoreUser(out, entity?.user, 'object_details', 'object_uuid');
    }
  }
}

function restoreBits(out: Json, privileges: unknown): void {
  const first: unknown = Array.isArray(privileges) ? (privileges as unknown[])[0] : undefined;
  if (typeof first === 'string' && /^\d+$/.test(first)) out.aux_id = Number(first);
}

function restoreSignIn(out: Json, line: Json): void {
  setPath(out, ['category'], str(line.status_code));
  setPath(out, ['type'], str(line.status_detail));
  setPath(out, ['session_uuid'], str(obj(line.session)?.uid));
  restoreUser(out, line.user, 'target_user');
  restoreClient(out, line, obj(line.actor)?.app_name);
}

function restoreItemUsage(out: Json, line: Json): void {
  setPath(out, ['action'], str(obj(line.metadata)?.event_code));
  const actor = obj(line.actor);
  restoreUser(out, actor?.user, 'user');
  restoreClient(out, line, actor?.app_name);
  for (const r of Array.isArray(line.resources) ? line.resources : []) {
    const resource = obj(r);
    if (resource?.type === 'item') {
      setPath(out, ['item_uuid'], ident(resource.uid));
      if (typeof resource.version === 'string' && /^-?\d+$/.test(resource.version)) out.used_version = Number(resource.version);
    } else if (resource?.type === 'vault') {
      setPath(out, ['vault_uuid'], str(resource.uid));
    }
  }
}

/** The 1Password event behind an OCSF line Hel wrote; undefined for any other line. */
export function recoverFromOcsf(line: Json): RecoveredEvent | undefined {
  const md = obj(line.metadata);
  const product = obj(md?.product);
  if (typeof line.class_uid !== 'number' || product?.vendor_name !== PRODUCT.vendor_name || md?.log_provider !== LOG_PROVIDER) return undefined;
  const stream = STREAMS.find((s) => s === md.log_name);
  if (stream === undefined) return undefined;
  const kept = keptEvent(line.raw_data);
  if (kept !== undefined) return { stream, event: kept };
  const out: Json = {};
  setPath(out, ['uuid'], str(md.original_event_uid));
  setPath(out, ['timestamp'], str(md.original_time));
  setPath(out, ['account_uuid'], str(md.tenant_uid));
  if (stream === 'auditevents') restoreAudit(out, line);
  else if (stream === 'signinattempts') restoreSignIn(out, line);
  else restoreItemUsage(out, line);
  return { stream, event: mergeUnder(out, obj(line.unmapped)) };
}
