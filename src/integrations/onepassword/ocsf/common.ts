/** Pieces every 1Password -> OCSF mapping shares: metadata, users, places, clients. */
import type { MapContext, MappingOptions } from '../../../pipeline/mappings.js';
import { isNonEmptyString, type Leftovers } from '../../../pipeline/leftovers.js';
import { OCSF_VERSION, SEVERITY_INFORMATIONAL, epochMs, osType } from '../../../pipeline/ocsf.js';

type Json = Record<string, unknown>;

export type OnePasswordStream = 'auditevents' | 'signinattempts' | 'itemusages';

export const PRODUCT = { name: '1Password', vendor_name: '1Password' } as const;
export const LOG_PROVIDER = '1Password Events API';
const STREAM_FEATURES: Record<OnePasswordStream, string> = {
  auditevents: 'Audit events',
  signinattempts: 'Sign-in attempts',
  itemusages: 'Item usage',
};

/** OCSF `user.type_id` of a 1Password `user_type`; the reverse is in recover.ts. */
export function userType(value: string): { type_id: number; type: string } {
  return value === 'user' ? { type_id: 1, type: 'User' } : { type_id: 99, type: value };
}

export const SERVICE_ACCOUNT_TYPE = { type_id: 4, type: 'Service' } as const;

function isIpText(value: unknown): value is string {
  return isNonEmptyString(value) && value.length <= 40;
}

/**
 * A 1Password user object ({uuid, name, email, user_type, user_account_uuid}) as an OCSF user.
 * `uid` names the user when the event carries it outside the object too (object_uuid, aux_uuid);
 * the object's own uuid is then taken only if it repeats it. Without `typeAndAccount` the object's
 * user_type and user_account_uuid are left alone (the audit actor takes them from the top level).
 */
export function takeUser(rest: Leftovers, key: string, uid?: string, typeAndAccount = true): Json | undefined {
  let id = uid;
  if (id === undefined) id = rest.string(key, 'uuid');
  else rest.same(id, key, 'uuid');
  const fullName = rest.string(key, 'name');
  const email = rest.string(key, 'email');
  const type = typeAndAccount ? rest.string(key, 'user_type') : undefined;
  const account = typeAndAccount ? rest.string(key, 'user_account_uuid') : undefined;
  if (id === undefined && fullName === undefined && account === undefined) return undefined;
  return {
    ...(id !== undefined ? { uid: id } : {}),
    ...(fullName !== undefined ? { full_name: fullName } : {}),
    ...(email !== undefined ? { email_addr: email } : {}),
    ...(type !== undefined ? userType(type) : {}),
    ...(account !== undefined ? { account: { uid: account } } : {}),
  };
}

/** 1Password `location` as an OCSF location; left for `unmapped` when it names no place (the schema needs city, country or region). */
function takeLocation(rest: Leftovers): Json | undefined {
  if (!isNonEmptyString(rest.peek('location', 'city')) && !isNonEmptyString(rest.peek('location', 'country')) && !isNonEmptyString(rest.peek('location', 'region'))) return undefined;
  const out: Json = {};
  const city = rest.string('location', 'city');
  if (city !== undefined) out.city = city;
  const country = rest.string('location', 'country');
  if (country !== undefined) out.country = country;
  const region = rest.string('location', 'region');
  if (region !== undefined) out.region = region;
  const lat = rest.number('location', 'latitude');
  if (lat !== undefined) out.lat = lat;
  const long = rest.number('location', 'longitude');
  if (long !== undefined) out.long = long;
  return out;
}

/** The client's operating system (`client.os_name`, `os_version`) as an OCSF os. */
function takeClientOs(rest: Leftovers): Json | undefined {
  const name = rest.string('client', 'os_name');
  if (name === undefined) return undefined;
  const version = rest.string('client', 'os_version');
  return { name, ...osType(name), ...(version !== undefined ? { version } : {}) };
}

/** `src_endpoint` from an IP (and where it is); without an IP the place stays in `unmapped`. */
export function sourceEndpoint(rest: Leftovers, ipPath: readonly [string, string], withOs: boolean): Json | undefined {
  const ip = rest.takeIf(isIpText, ipPath[0], ipPath[1]);
  if (ip === undefined) return undefined;
  const location = takeLocation(rest);
  const os = withOs ? takeClientOs(rest) : undefined;
  return { ip, ...(location ? { location } : {}), ...(os ? { os } : {}) };
}

/** Builds the attributes every event has: metadata, time, severity; takes uuid, timestamp and account_uuid. */
export function baseAttributes(
  rest: Leftovers,
  stream: OnePasswordStream,
  context: MapContext,
  options: MappingOptions,
  extra: { eventCode?: string; profiles?: string[] } = {},
): { time: number; metadata: Json; severity_id: number; severity: string } {
  const uid = rest.string('uuid');
  const originalTime = rest.string('timestamp');
  const tenant = rest.string('account_uuid');
  const collected = Date.parse(context.collectedAt);
  const version = /\/api\/(v\d+)\//.exec(context.endpoint)?.[1];
  const metadata: Json = {
    version: OCSF_VERSION,
    product: { ...PRODUCT, feature: { name: STREAM_FEATURES[stream] } },
    log_name: stream,
    log_provider: LOG_PROVIDER,
    ...(version !== undefined ? { log_version: version } : {}),
    ...(uid !== undefined ? { uid, original_event_uid: uid } : {}),
    ...(originalTime !== undefined ? { original_time: originalTime } : {}),
    ...(tenant !== undefined ? { tenant_uid: tenant } : {}),
    ...(extra.eventCode !== undefined ? { event_code: extra.eventCode } : {}),
    logged_time: collected,
    tags: [{ name: options.labelKey, value: options.labelValue }],
    ...(extra.profiles ? { profiles: extra.profiles } : {}),
  };
  const time = (originalTime === undefined ? undefined : epochMs(originalTime)) ?? collected;
  return { time, metadata, ...SEVERITY_INFORMATIONAL };
}

/** Adds the closing attributes: the vendor fields nothing took, and the raw event when asked for. */
export function close(out: Json, rest: Leftovers, event: Json, options: MappingOptions): Json {
  const unmapped = rest.rest();
  if (unmapped) out.unmapped = unmapped;
  if (options.rawData) out.raw_data = JSON.stringify(event);
  return out;
}

/** "Name <email>", the email, the name or the uid of an OCSF user, for messages. */
export function who(user: Json | undefined): string {
  if (user === undefined) return 'unknown user';
  const name = user.full_name as string | undefined;
  const email = user.email_addr as string | undefined;
  if (name && email) return `${name} <${email}>`;
  return name ?? email ?? (user.uid as string | undefined) ?? 'unknown user';
}
