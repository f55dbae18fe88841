/** The three 1Password Events API streams a report covers. */
export type StreamKind = 'audit' | 'signin' | 'itemusage';

export const STREAM_KINDS: readonly StreamKind[] = ['audit', 'signin', 'itemusage'];

export const STREAM_TITLES: Record<StreamKind, string> = {
  audit: 'Audit events',
  signin: 'Sign-in attempts',
  itemusage: 'Item usage',
};

export type RawEvent = Record<string, unknown>;

/** One event read from an input file, after stream detection and the --since/--until filter. */
export interface ReportEvent {
  stream: StreamKind;
  /** Epoch milliseconds of `timestamp`. */
  time: number;
  /** The event's own `timestamp` text, kept for display (nanosecond precision). */
  timestamp: string;
  raw: RawEvent;
  /** "file:line" of the event, for evidence references. */
  where: string;
  /** The account label of a multi-account entry (envelope `meta.account`). */
  account?: string;
}

/** Someone named in an event: the actor, a target user, an aux user. */
export interface Person {
  uuid?: string;
  name?: string;
  email?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function field(event: RawEvent, key: string): string | undefined {
  return text(event[key]);
}

export function objectField(event: RawEvent, key: string): RawEvent | undefined {
  const value = event[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RawEvent) : undefined;
}

export function personFrom(details: RawEvent | undefined, fallbackUuid?: string): Person | undefined {
  const uuid = text(details?.uuid) ?? fallbackUuid;
  const name = text(details?.name);
  const email = text(details?.email);
  if (uuid === undefined && name === undefined && email === undefined) return undefined;
  return { ...(uuid ? { uuid } : {}), ...(name ? { name } : {}), ...(email ? { email } : {}) };
}

/** "Name <email>", or whatever part is known, else the UUID. */
export function personLabel(person: Person | undefined): string {
  if (person === undefined) return 'unknown';
  if (person.name && person.email) return `${person.name} <${person.email}>`;
  return person.name ?? person.email ?? person.uuid ?? 'unknown';
}

/** A stable key for grouping by person: UUID first, then email, then name. */
export function personKey(person: Person | undefined): string {
  return person?.uuid ?? person?.email ?? person?.name ?? 'unknown';
}

/** "City, Region, CC" from a location object; undefined when absent. */
export function locationLabel(event: RawEvent): string | undefined {
  const loc = objectField(event, 'location');
  if (loc === undefined) return undefined;
  const parts = [text(loc.city), text(loc.region), text(loc.country)].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** Sorted [key, count] pairs, biggest first, ties by key. */
export function sortedCounts(counts: Map<string, number>): { key: string; count: number }[] {
  return [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

export function increment(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}
