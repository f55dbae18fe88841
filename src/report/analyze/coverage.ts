import { isoOf, type ReportEvent, type StreamKind, STREAM_KINDS } from '../event.js';
import type { TimeWindow } from '../read.js';
import type { Analyzer } from './common.js';

interface CoverageGap {
  from: string;
  to: string;
  hours: number;
  /** "before first event" / "after last event" when the gap touches a --since/--until bound. */
  edge?: 'start' | 'end';
}

interface StreamCoverage {
  stream: StreamKind;
  count: number;
  first?: string;
  last?: string;
  gaps: CoverageGap[];
  /** Events per UTC day, for the volume chart. */
  perDay: { day: string; count: number }[];
  /** Hours from the newest event to when the report was made: how fresh the evidence is. */
  lagHours?: number;
  /** Events delivered after a newer one of their stream by more than `lateMinutes` (e.g. item usage synced late). */
  late: { count: number; maxHours: number };
}

/** An event this far behind the newest one already delivered arrived late (client sync delays are ~10 min and more). */
const LATE_MINUTES = 10;

export interface CoverageSection {
  gapHours: number;
  lateMinutes: number;
  streams: StreamCoverage[];
}

/** Growable Float64Array: 8 bytes per event, so millions of timestamps stay cheap. */
class TimeList {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/**
 * First/last event and every gap longer than `gapHours` between consecutive events of a stream
 * (events sorted by time: item usage timestamps are client-side and arrive out of order). When the
 * report has --since/--until, the stretches from the bound to the first/last event count too.
 */
export function coverageAnalyzer(gapHours: number, window: TimeWindow, now: number): Analyzer<CoverageSection> {
  const times: Record<StreamKind, TimeList> = { audit: new TimeList(), signin: new TimeList(), itemusage: new TimeList() };
  // Input order is delivery order: an event far older than one delivered before it came late.
  const newestSeen: Record<StreamKind, number> = { audit: -Infinity, signin: -Infinity, itemusage: -Infinity };
  const late: Record<StreamKind, { count: number; maxHours: number }> = { audit: { count: 0, maxHours: 0 }, signin: { count: 0, maxHours: 0 }, itemusage: { count: 0, maxHours: 0 } };
  const gapMs = gapHours * 3_600_000;
  const gap = (from: number, to: number, edge?: 'start' | 'end'): CoverageGap => ({
    from: isoOf(from),
    to: isoOf(to),
    hours: Math.round(((to - from) / 3_600_000) * 10) / 10,
    ...(edge ? { edge } : {}),
  });
  return {
    add(event: ReportEvent) {
      times[event.stream].push(event.time);
      const behind = newestSeen[event.stream] - event.time;
      if (behind > LATE_MINUTES * 60_000) {
        const l = late[event.stream];
        l.count++;
        l.maxHours = Math.max(l.maxHours, Math.round((behind / 3_600_000) * 10) / 10);
      }
      newestSeen[event.stream] = Math.max(newestSeen[event.stream], event.time);
    },
    result() {
      const streams = STREAM_KINDS.map((stream): StreamCoverage => {
        const sorted = times[stream].sorted();
        const gaps: CoverageGap[] = [];
        const perDay = new Map<string, number>();
        for (let i = 0; i < sorted.length; i++) {
          const day = isoOf(sorted[i]!).slice(0, 10);
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
          if (i > 0 && sorted[i]! - sorted[i - 1]! > gapMs) gaps.push(gap(sorted[i - 1]!, sorted[i]!));
        }
        const first = sorted[0];
        const last = sorted[sorted.length - 1];
        if (first === undefined || last === undefined) {
          if (window.since !== undefined && window.until !== undefined && window.until - window.since > gapMs) gaps.push(gap(window.since, window.until, 'start'));
          return { stream, count: 0, gaps, perDay: [], late: late[stream] };
        }
        if (window.since !== undefined && first - window.since > gapMs) gaps.unshift(gap(window.since, first, 'start'));
        if (window.until !== undefined && window.until - last > gapMs) gaps.push(gap(last, window.until, 'end'));
        const lagHours = Math.round(((now - last) / 3_600_000) * 10) / 10;
        return { stream, count: sorted.length, first: isoOf(first), last: isoOf(last), gaps, perDay: [...perDay].map(([day, count]) => ({ day, count })), lagHours, late: late[stream] };
      });
      return { gapHours, lateMinutes: LATE_MINUTES, streams };
    },
  };
}
