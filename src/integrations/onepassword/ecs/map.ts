/**
 * 1Password events -> ECS, field for field as Elastic's 1Password integration (packages/1password,
 * ingest pipelines of audit_events, signin_attempts, item_usages) writes them, so its dashboards
 * and rules work unchanged. The vendor fields it does not rename stay under `onepassword.*`,
 * as in Elastic's own output; `location` becomes `source.geo` (Elastic looks the IP up instead).
 */
import type { MapContext, MappingOptions } from '../../../pipeline/mappings.js';
import { Leftovers, isNonEmptyString } from '../../../pipeline/leftovers.js';
import type { OnePasswordStream } from '../ocsf/common.js';
import { SIGN_IN_OUTCOMES } from '../ocsf/rules.js';

type Json = Record<string, unknown>;

export const ECS_VERSION = '8.11.0';
export const ECS_MODULE = '1password';
/** Elastic's data stream (dataset) of each stream. */
export const ECS_DATASETS: Record<OnePasswordStream, string> = {
  auditevents: '1password.audit_events',
  signinattempts: '1password.signin_attempts',
  itemusages: '1password.item_usages',
};
const CATEGORIES: Record<OnePasswordStream, { category: string; type: string }> = {
  auditevents: { category: 'configuration', type: 'access' },
  signinattempts: { category: 'authentication', type: 'info' },
  itemusages: { category: 'file', type: 'access' },
};
/** Elastic relates the aux user of these object types to the event. */
const AUX_USER_OBJECT_TYPES = ['gm', 'device', 'uva'];

function geoOf(rest: Leftovers): Json | undefined {
  const geo: Json = {};
  const country = rest.string('location', 'country');
  if (country !== undefined) geo[/^[A-Z]{2}$/.test(country) ? 'country_iso_code' : 'country_name'] = country;
  const region = rest.string('location', 'region');
  if (region !== undefined) geo.region_name = region;
  const city = rest.string('location', 'city');
  if (city !== undefined) geo.city_name = city;
  // a geo_point needs both coordinates; a lone one stays under onepassword.location
  if (typeof rest.peek('location', 'latitude') === 'number' && typeof rest.peek('location', 'longitude') === 'number') {
    geo.location = { lat: rest.number('location', 'latitude'), lon: rest.number('location', 'longitude') };
  }
  return Object.keys(geo).length > 0 ? geo : undefined;
}

function userOf(rest: Leftovers, key: string, nameField: 'full_name' | 'name'): Json | undefined {
  const id = rest.string(key, 'uuid');
  const name = rest.string(key, 'name');
  const email = rest.string(key, 'email');
  const user = { ...(id ? { id } : {}), ...(name ? { [nameField]: name } : {}), ...(email ? { email } : {}) };
  return Object.keys(user).length > 0 ? user : undefined;
}

function osOf(rest: Leftovers): Json | undefined {
  const name = rest.string('client', 'os_name');
  const version = rest.string('client', 'os_version');
  return name || version ? { os: { ...(name ? { name } : {}), ...(version ? { version } : {}) } } : undefined;
}

const unique = (values: (string | undefined)[]): string[] => [...new Set(values.filter(isNonEmptyString))];

export function mapToEcs(stream: OnePasswordStream, event: Json, context: MapContext, options: MappingOptions): Json {
  const rest = new Leftovers(event);
  const timestamp = rest.string('timestamp');
  let action: string | undefined;
  let outcome: string | undefined;
  let user: Json | undefined;
  let ip: string | undefined;
  let host: Json | undefined;
  let relatedUsers: string[];
  if (stream === 'auditevents') {
    action = rest.string('action');
    const objectType = rest.peek('object_type');
    const auxUser = typeof objectType === 'string' && AUX_USER_OBJECT_TYPES.includes(objectType) ? rest.peek('aux_uuid') : undefined;
    const objectUser = objectType === 'user' ? rest.peek('object_uuid') : undefined;
    const actorId = rest.string('actor_uuid');
    const name = rest.string('actor_details', 'name');
    const email = rest.string('actor_details', 'email');
    user = actorId || name || email ? { ...(actorId ? { id: actorId } : {}), ...(name ? { name } : {}), ...(email ? { email } : {}) } : undefined;
    relatedUsers = unique([actorId, objectUser as string | undefined, auxUser as string | undefined]);
    ip = rest.string('session', 'ip');
  } else {
    const key = stream === 'signinattempts' ? 'target_user' : 'user';
    relatedUsers = unique([rest.peek(key, 'uuid'), rest.peek(key, 'email'), rest.peek(key, 'name')] as (string | undefined)[]);
    user = userOf(rest, key, 'full_name');
    if (stream === 'signinattempts') {
      action = rest.string('category');
      const known = action === undefined ? undefined : SIGN_IN_OUTCOMES[action];
      outcome = known ?? 'unknown';
    } else {
      action = rest.string('action');
    }
    host = osOf(rest);
    ip = rest.string('client', 'ip_address');
  }
  const geo = geoOf(rest);
  const { category, type } = CATEGORIES[stream];
  const dataset = ECS_DATASETS[stream];
  const leftover = rest.rest();
  return {
    '@timestamp': timestamp ?? context.collectedAt,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: [category],
      type: [type],
      ...(action !== undefined ? { action } : {}),
      ...(outcome !== undefined ? { outcome } : {}),
      created: context.collectedAt,
      dataset,
      module: ECS_MODULE,
      ...(options.rawData ? { original: JSON.stringify(event) } : {}),
    },
    data_stream: { type: 'logs', dataset, namespace: 'default' },
    ...(user ? { user } : {}),
    ...(host ? { host } : {}),
    ...(ip || geo ? { source: { ...(ip ? { ip } : {}), ...(geo ? { geo } : {}) } } : {}),
    related: { ...(relatedUsers.length > 0 ? { user: relatedUsers } : {}), ...(ip ? { ip: [ip] } : {}) },
    tags: ['forwarded', `${ECS_MODULE}-${dataset.slice(ECS_MODULE.length + 1)}`],
    labels: { [options.labelKey]: options.labelValue },
    ...(leftover ? { onepassword: leftover } : {}),
  };
}
