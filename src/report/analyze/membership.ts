import { field, increment, objectField, personFrom, personKey, personLabel, type Person, type ReportEvent } from '../event.js';
import { auditSectionOf, MEMBERSHIP_HEADLINE, membershipChangeOf } from './audit-classes.js';
import { auditRow, byTime, type Analyzer, type AuditRow } from './common.js';

interface MembershipChange extends AuditRow {
  change: string;
  /** The person whose membership changed (the user, the invitee, or the group member). */
  subject: string;
  subjectUuid?: string;
  /** For group membership: the group's UUID; aux_info carries the member role. */
  group?: string;
  role?: string;
}

interface PersonTimeline {
  person: string;
  uuid?: string;
  changes: { timestamp: string; change: string; group?: string; actor: string; where: string }[];
}

export interface MembershipSection {
  total: number;
  /** Headline counts (always present, zero included), then any other change kinds seen. */
  counts: { key: string; count: number }[];
  changes: MembershipChange[];
  timelines: PersonTimeline[];
}

function subjectOf(event: ReportEvent, objectType: string): Person | undefined {
  if (objectType === 'gm') return personFrom(objectField(event.raw, 'aux_details'), field(event.raw, 'aux_uuid'));
  return personFrom(objectField(event.raw, 'object_details'), field(event.raw, 'object_uuid')) ?? personFrom(objectField(event.raw, 'aux_details'), field(event.raw, 'aux_uuid'));
}

/** Users invited, joined, confirmed, suspended, reactivated, deleted; group joins and leaves. */
export function membershipAnalyzer(): Analyzer<MembershipSection> {
  const changes: MembershipChange[] = [];
  const people = new Map<string, { person: Person | undefined; changes: PersonTimeline['changes'] }>();
  return {
    add(event: ReportEvent) {
      if (event.stream !== 'audit' || auditSectionOf(event.raw) !== 'membership') return;
      const objectType = field(event.raw, 'object_type') ?? '';
      const action = field(event.raw, 'action') ?? '';
      const change = membershipChangeOf(objectType, action) ?? `${objectType} ${action}`;
      const subject = subjectOf(event, objectType);
      const row: MembershipChange = { ...auditRow(event), change, subject: personLabel(subject) };
      if (subject?.uuid !== undefined) row.subjectUuid = subject.uuid;
      if (objectType === 'gm') {
        const group = field(event.raw, 'object_uuid');
        const role = field(event.raw, 'aux_info');
        if (group !== undefined) row.group = group;
        if (role !== undefined) row.role = role;
      }
      changes.push(row);
      const key = personKey(subject);
      const timeline = people.get(key) ?? { person: subject, changes: [] };
      timeline.changes.push({ timestamp: row.timestamp, change, ...(row.group ? { group: row.group } : {}), actor: row.actor, where: row.where });
      people.set(key, timeline);
    },
    result() {
      const counts = new Map<string, number>(MEMBERSHIP_HEADLINE.map((k) => [k, 0]));
      for (const c of changes) increment(counts, c.change);
      const timelines = [...people.values()]
        .map(({ person, changes: list }) => ({ person: personLabel(person), ...(person?.uuid ? { uuid: person.uuid } : {}), changes: list.sort(byTime) }))
        .sort((a, b) => a.person.localeCompare(b.person));
      return { total: changes.length, counts: [...counts].map(([key, count]) => ({ key, count })), changes: changes.sort(byTime), timelines };
    },
  };
}
