import { field, locationLabel, objectField, personFrom, personLabel, type Person, type ReportEvent } from '../event.js';

/** Who did it, when and from where: the columns every audit table shares. */
export interface AuditRow {
  timestamp: string;
  actor: string;
  actorUuid?: string;
  action: string;
  objectType: string;
  objectUuid?: string;
  ip?: string;
  location?: string;
  /** file:line of the event in the input, for tracing a figure back to evidence. */
  where: string;
}

function actorOf(event: ReportEvent): Person | undefined {
  return personFrom(objectField(event.raw, 'actor_details'), field(event.raw, 'actor_uuid'));
}

export function auditRow(event: ReportEvent): AuditRow {
  const actor = actorOf(event);
  const row: AuditRow = {
    timestamp: event.timestamp,
    actor: personLabel(actor),
    action: field(event.raw, 'action') ?? '',
    objectType: field(event.raw, 'object_type') ?? '',
    where: event.where,
  };
  const actorUuid = actor?.uuid;
  const objectUuid = field(event.raw, 'object_uuid');
  const ip = field(objectField(event.raw, 'session') ?? {}, 'ip');
  const location = locationLabel(event.raw);
  if (actorUuid !== undefined) row.actorUuid = actorUuid;
  if (objectUuid !== undefined) row.objectUuid = objectUuid;
  if (ip !== undefined) row.ip = ip;
  if (location !== undefined) row.location = location;
  return row;
}

export function byTime<T extends { timestamp: string }>(a: T, b: T): number {
  return Date.parse(a.timestamp) - Date.parse(b.timestamp) || a.timestamp.localeCompare(b.timestamp);
}

/** A section's incremental analysis: fed every event in the window, then asked for its figures. */
export interface Analyzer<T> {
  add(event: ReportEvent): void;
  result(): T;
}
