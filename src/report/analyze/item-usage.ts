import { field, increment, objectField, personFrom, personKey, personLabel, sortedCounts, type ReportEvent } from '../event.js';
import type { Analyzer } from './common.js';

/**
 * Unusual volume: a user's day (UTC) with at least UNUSUAL_MIN_DAILY uses and more than
 * UNUSUAL_MEDIAN_FACTOR × their median daily count. The median runs over every day of the item
 * usage stream's span, quiet days (zero) included, so a normally idle user is flagged at 20.
 */
const UNUSUAL_MIN_DAILY = 20;
const UNUSUAL_MEDIAN_FACTOR = 3;

/** Actions that expose a secret's value outside 1Password; shown as their own columns. */
export const SENSITIVE_ITEM_ACTIONS = ['reveal', 'export', 'secure-copy'] as const;

const DAY_MS = 86_400_000;

interface UsageRow {
  key: string;
  total: number;
  byAction: Record<string, number>;
}

interface UnusualDay {
  user: string;
  day: string;
  count: number;
  medianDaily: number;
}

export interface ItemUsageSection {
  total: number;
  byAction: { key: string; count: number }[];
  byUser: UsageRow[];
  byVault: UsageRow[];
  unusual: UnusualDay[];
  rule: string;
}

function addTo(rows: Map<string, UsageRow>, key: string, action: string): void {
  const row = rows.get(key) ?? { key, total: 0, byAction: {} };
  row.total++;
  row.byAction[action] = (row.byAction[action] ?? 0) + 1;
  rows.set(key, row);
}

/** Item usage in shared vaults by user and by vault, with days of unusual volume flagged. */
export function itemUsageAnalyzer(): Analyzer<ItemUsageSection> {
  let total = 0;
  const byAction = new Map<string, number>();
  const byUser = new Map<string, UsageRow>();
  const byVault = new Map<string, UsageRow>();
  const daily = new Map<string, { label: string; days: Map<number, number> }>();
  let firstDay = Infinity;
  let lastDay = -Infinity;
  return {
    add(event: ReportEvent) {
      if (event.stream !== 'itemusage') return;
      total++;
      const action = field(event.raw, 'action') ?? 'unknown';
      const user = personFrom(objectField(event.raw, 'user'));
      const label = personLabel(user);
      increment(byAction, action);
      addTo(byUser, label, action);
      addTo(byVault, field(event.raw, 'vault_uuid') ?? 'unknown', action);
      const day = Math.floor(event.time / DAY_MS);
      firstDay = Math.min(firstDay, day);
      lastDay = Math.max(lastDay, day);
      const key = personKey(user);
      const entry = daily.get(key) ?? { label, days: new Map<number, number>() };
      entry.days.set(day, (entry.days.get(day) ?? 0) + 1);
      daily.set(key, entry);
    },
    result() {
      const unusual: UnusualDay[] = [];
      const spanDays = total === 0 ? 0 : lastDay - firstDay + 1;
      for (const { label, days } of daily.values()) {
        const medianDaily = median([...days.values()], spanDays);
        for (const [day, count] of days) {
          if (count >= UNUSUAL_MIN_DAILY && count > UNUSUAL_MEDIAN_FACTOR * medianDaily) {
            unusual.push({ user: label, day: new Date(day * DAY_MS).toISOString().slice(0, 10), count, medianDaily });
          }
        }
      }
      const rows = (m: Map<string, UsageRow>) => [...m.values()].sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
      return {
        total,
        byAction: sortedCounts(byAction),
        byUser: rows(byUser),
        byVault: rows(byVault),
        unusual: unusual.sort((a, b) => a.day.localeCompare(b.day) || a.user.localeCompare(b.user)),
        rule: `a user's day (UTC) with at least ${UNUSUAL_MIN_DAILY} item uses and more than ${UNUSUAL_MEDIAN_FACTOR}× that user's median daily count (over every day of the period, quiet days counted as 0)`,
      };
    },
  };
}

/** Median of the active-day counts padded with zeros up to `spanDays` days. */
export function median(activeCounts: number[], spanDays: number): number {
  const zeros = Math.max(0, spanDays - activeCounts.length);
  const sorted = [...activeCounts].sort((a, b) => a - b);
  const n = zeros + sorted.length;
  if (n === 0) return 0;
  const at = (i: number) => (i < zeros ? 0 : sorted[i - zeros]!);
  return n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}
