import { field, increment, isoOf, objectField, personFrom, personKey, personLabel, sortedCounts, type ReportEvent } from '../event.js';
import type { Analyzer } from './common.js';

/** Repeated failures: at least this many for one user within any window of this length. */
const REPEATED_FAILURE_COUNT = 5;
const REPEATED_FAILURE_WINDOW_MS = 60 * 60 * 1000;

const NOT_FAILURES = new Set(['success', 'firewall_reported_success']);

export interface FailureBurst {
  user: string;
  first: string;
  last: string;
  /** Failures from first to last (windows that overlap are merged). */
  count: number;
  /** Most failures inside one 60-minute window of the burst. */
  peakPerHour: number;
}

export interface SignInSection {
  total: number;
  successes: number;
  failures: number;
  /** firewall_reported_success: allowed, but a report-only firewall rule would have blocked it. */
  firewallReportOnly: number;
  failuresByCategory: { key: string; count: number }[];
  failuresByType: { key: string; count: number }[];
  failuresByUser: { key: string; count: number }[];
  failuresByCountry: { key: string; count: number }[];
  firewallBlocks: { total: number; byRule: { key: string; count: number }[]; byType: { key: string; count: number }[] };
  repeatedFailures: FailureBurst[];
}

/** Sign-in failures by category, type, user and country; firewall blocks; repeated failures flagged. */
export function signInAnalyzer(): Analyzer<SignInSection> {
  let total = 0;
  let successes = 0;
  let firewallReportOnly = 0;
  const byCategory = new Map<string, number>();
  const byType = new Map<string, number>();
  const byUser = new Map<string, number>();
  const byCountry = new Map<string, number>();
  const firewallByRule = new Map<string, number>();
  const firewallByType = new Map<string, number>();
  const failureTimes = new Map<string, { label: string; times: number[] }>();
  return {
    add(event: ReportEvent) {
      if (event.stream !== 'signin') return;
      total++;
      const category = field(event.raw, 'category') ?? 'unknown';
      const type = field(event.raw, 'type') ?? 'unknown';
      if (category === 'success') successes++;
      if (category === 'firewall_reported_success') firewallReportOnly++;
      if (NOT_FAILURES.has(category)) return;
      const user = personFrom(objectField(event.raw, 'target_user'));
      const label = personLabel(user);
      const country = field(event.raw, 'country') ?? field(objectField(event.raw, 'location') ?? {}, 'country') ?? 'unknown';
      increment(byCategory, category);
      increment(byType, `${category} / ${type}`);
      increment(byUser, label);
      increment(byCountry, country);
      if (category === 'firewall_failed') {
        increment(firewallByRule, field(objectField(event.raw, 'details') ?? {}, 'value') ?? 'unspecified');
        increment(firewallByType, type);
      }
      const key = personKey(user);
      const entry = failureTimes.get(key) ?? { label, times: [] };
      entry.times.push(event.time);
      failureTimes.set(key, entry);
    },
    result() {
      const bursts: FailureBurst[] = [];
      for (const { label, times } of failureTimes.values()) bursts.push(...findBursts(label, times));
      const failures = total - successes - firewallReportOnly;
      return {
        total,
        successes,
        failures,
        firewallReportOnly,
        failuresByCategory: sortedCounts(byCategory),
        failuresByType: sortedCounts(byType),
        failuresByUser: sortedCounts(byUser),
        failuresByCountry: sortedCounts(byCountry),
        firewallBlocks: { total: byCategory.get('firewall_failed') ?? 0, byRule: sortedCounts(firewallByRule), byType: sortedCounts(firewallByType) },
        repeatedFailures: bursts.sort((a, b) => a.first.localeCompare(b.first) || a.user.localeCompare(b.user)),
      };
    },
  };
}

/**
 * Finds every 60-minute window holding ≥5 failures and merges overlapping windows into one burst,
 * so a sustained attack is one row rather than dozens.
 */
export function findBursts(user: string, unsorted: number[]): FailureBurst[] {
  const times = [...unsorted].sort((a, b) => a - b);
  const bursts: FailureBurst[] = [];
  let current: { start: number; end: number; peak: number } | undefined;
  let right = 0;
  for (let left = 0; left < times.length; left++) {
    if (right < left) right = left;
    while (right + 1 < times.length && times[right + 1]! - times[left]! <= REPEATED_FAILURE_WINDOW_MS) right++;
    const inWindow = right - left + 1;
    if (inWindow < REPEATED_FAILURE_COUNT) continue;
    if (current !== undefined && left <= current.end) {
      current.end = Math.max(current.end, right);
      current.peak = Math.max(current.peak, inWindow);
    } else {
      if (current !== undefined) bursts.push(toBurst(user, times, current));
      current = { start: left, end: right, peak: inWindow };
    }
  }
  if (current !== undefined) bursts.push(toBurst(user, times, current));
  return bursts;
}

function toBurst(user: string, times: number[], span: { start: number; end: number; peak: number }): FailureBurst {
  return { user, first: isoOf(times[span.start]!), last: isoOf(times[span.end]!), count: span.end - span.start + 1, peakPerHour: span.peak };
}
