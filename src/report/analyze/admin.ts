import { field, increment, sortedCounts, type ReportEvent } from '../event.js';
import { adminCategoryOf, auditSectionOf } from './audit-classes.js';
import { auditRow, byTime, type Analyzer, type AuditRow } from './common.js';

interface AdminChange extends AuditRow {
  category: string;
  /** aux_info, e.g. a new name or a role letter, when the event carries one. */
  detail?: string;
}

export interface AdminSection {
  total: number;
  byCategory: { key: string; count: number }[];
  byActor: { key: string; count: number }[];
  changes: AdminChange[];
}

/** Every audit event that changes account settings, policies, SSO/MFA, roles, integrations or tokens. */
export function adminAnalyzer(): Analyzer<AdminSection> {
  const changes: AdminChange[] = [];
  return {
    add(event: ReportEvent) {
      if (event.stream !== 'audit' || auditSectionOf(event.raw) !== 'admin') return;
      const change: AdminChange = { ...auditRow(event), category: adminCategoryOf(event.raw) ?? 'Other' };
      const detail = field(event.raw, 'aux_info');
      if (detail !== undefined) change.detail = detail;
      changes.push(change);
    },
    result() {
      const byCategory = new Map<string, number>();
      const byActor = new Map<string, number>();
      for (const c of changes) {
        increment(byCategory, c.category);
        increment(byActor, c.actor);
      }
      return { total: changes.length, byCategory: sortedCounts(byCategory), byActor: sortedCounts(byActor), changes: changes.sort(byTime) };
    },
  };
}
