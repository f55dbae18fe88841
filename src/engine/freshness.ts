import type { SourceStatus } from './status.js';

/** How current a source's data is: the lag behind now, and the optional "no events" alert. */
export interface Freshness {
  /** Now minus the newest event time delivered; null before any event with a time. */
  lagSecs: number | null;
  /** The configured `no_events_alert_hours`; null when the alert is off. */
  alertAfterHours: number | null;
  /** True when no event newer than `alertAfterHours` has been delivered (counted from start when none ever was). */
  noEvents: boolean;
}

/**
 * Computed at read time from the status and an injected clock, so every view (API, status page,
 * metrics) agrees and tests need no sleeping. `since` is when the process started: a source that
 * never delivered an event alerts once the threshold has passed since then.
 */
export function freshnessOf(status: SourceStatus, now: number, since: number): Freshness {
  const newest = status.lastEventTime === undefined ? NaN : Date.parse(status.lastEventTime);
  const lagSecs = Number.isNaN(newest) ? null : (now - newest) / 1000;
  const hours = status.noEventsAlertHours;
  if (hours === undefined) return { lagSecs, alertAfterHours: null, noEvents: false };
  const quietMs = now - (Number.isNaN(newest) ? since : newest);
  return { lagSecs, alertAfterHours: hours, noEvents: quietMs > hours * 3_600_000 };
}
