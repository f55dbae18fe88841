import { field, type ReportEvent } from '../event.js';
import { auditSectionOf } from './audit-classes.js';
import type { Analyzer } from './common.js';
import { KNOWN_AUDIT_ACTIONS, KNOWN_AUDIT_OBJECT_TYPES, KNOWN_ITEM_USAGE_ACTIONS, KNOWN_SIGNIN_CATEGORIES, KNOWN_SIGNIN_TYPES } from './enums.js';

export interface UnknownValue {
  kind: 'audit action' | 'audit object_type' | 'sign-in category' | 'sign-in type' | 'item usage action';
  value: string;
  count: number;
  /** file:line of the first occurrence. */
  firstSeen: string;
}

export interface OtherAuditSection {
  total: number;
  /** Audit events outside the admin, membership and vault sections, by "object_type action". */
  counts: { key: string; count: number }[];
}

/** Values outside the documented enums: the API adds new ones, and a report must not hide them. */
export function unknownValuesAnalyzer(): Analyzer<UnknownValue[]> {
  const found = new Map<string, UnknownValue>();
  const check = (kind: UnknownValue['kind'], value: string | undefined, known: Set<string>, where: string) => {
    const v = value ?? '(missing)';
    if (value !== undefined && known.has(value)) return;
    const key = `${kind}\0${v}`;
    const entry = found.get(key) ?? { kind, value: v, count: 0, firstSeen: where };
    entry.count++;
    found.set(key, entry);
  };
  return {
    add(event: ReportEvent) {
      const r = event.raw;
      if (event.stream === 'audit') {
        check('audit action', field(r, 'action'), KNOWN_AUDIT_ACTIONS, event.where);
        check('audit object_type', field(r, 'object_type'), KNOWN_AUDIT_OBJECT_TYPES, event.where);
      } else if (event.stream === 'signin') {
        check('sign-in category', field(r, 'category'), KNOWN_SIGNIN_CATEGORIES, event.where);
        check('sign-in type', field(r, 'type'), KNOWN_SIGNIN_TYPES, event.where);
      } else {
        check('item usage action', field(r, 'action'), KNOWN_ITEM_USAGE_ACTIONS, event.where);
      }
    },
    result() {
      return [...found.values()].sort((a, b) => a.kind.localeCompare(b.kind) || b.count - a.count || a.value.localeCompare(b.value));
    },
  };
}

export function otherAuditAnalyzer(): Analyzer<OtherAuditSection> {
  const counts = new Map<string, number>();
  let total = 0;
  return {
    add(event: ReportEvent) {
      if (event.stream !== 'audit' || auditSectionOf(event.raw) !== 'other') return;
      total++;
      const key = `${field(event.raw, 'object_type') ?? '?'} ${field(event.raw, 'action') ?? '?'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    result() {
      return { total, counts: [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)) };
    },
  };
}
