/** ECS lines Hel wrote back into 1Password events, for `hel report` (exact with `event.original`). */
import type { RecoveredEvent } from '../../../pipeline/mappings.js';
import { isObject, keptEvent, mergeUnder, setPath } from '../../../pipeline/leftovers.js';
import type { OnePasswordStream } from '../ocsf/common.js';
import { ECS_DATASETS, ECS_MODULE } from './map.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (isObject(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function restoreGeo(out: Json, geo: Json | undefined): void {
  if (geo === undefined) return;
  setPath(out, ['location', 'country'], str(geo.country_iso_code) ?? str(geo.country_name));
  setPath(out, ['location', 'region'], str(geo.region_name));
  setPath(out, ['location', 'city'], str(geo.city_name));
  const point = obj(geo.location);
  if (point !== undefined) {
    setPath(out, ['location', 'latitude'], point.lat);
    setPath(out, ['location', 'longitude'], point.lon);
  }
}

/** The 1Password event behind an ECS line Hel wrote; undefined for any other line. */
export function recoverFromEcs(line: Json): RecoveredEvent | undefined {
  const event = obj(line.event);
  if (event?.module !== ECS_MODULE) return undefined;
  const stream = (Object.keys(ECS_DATASETS) as OnePasswordStream[]).find((s) => ECS_DATASETS[s] === event.dataset);
  if (stream === undefined) return undefined;
  const kept = keptEvent(event.original);
  if (kept !== undefined) return { stream, event: kept };
  const out: Json = {};
  setPath(out, ['timestamp'], str(line['@timestamp']));
  const user = obj(line.user);
  const source = obj(line.source);
  if (stream === 'auditevents') {
    setPath(out, ['action'], str(event.action));
    setPath(out, ['actor_uuid'], str(user?.id));
    setPath(out, ['actor_details', 'name'], str(user?.name));
    setPath(out, ['actor_details', 'email'], str(user?.email));
    setPath(out, ['session', 'ip'], str(source?.ip));
  } else {
    const key = stream === 'signinattempts' ? 'target_user' : 'user';
    setPath(out, [stream === 'signinattempts' ? 'category' : 'action'], str(event.action));
    setPath(out, [key, 'uuid'], str(user?.id));
    setPath(out, [key, 'name'], str(user?.full_name));
    setPath(out, [key, 'email'], str(user?.email));
    const os = obj(obj(line.host)?.os);
    setPath(out, ['client', 'os_name'], str(os?.name));
    setPath(out, ['client', 'os_version'], str(os?.version));
    setPath(out, ['client', 'ip_address'], str(source?.ip));
  }
  restoreGeo(out, obj(source?.geo));
  return { stream, event: mergeUnder(out, obj(line.onepassword)) };
}
