import type { BreakerState } from '../resilience/circuit-breaker.js';

export type SourceHealth = 'ok' | 'degraded' | 'failing' | 'circuit-open' | 'pending';

/** What operators see about one source: /healthz, /api/v1/sources, the status page, metrics. */
export interface SourceStatus {
  name: string;
  label: string;
  url: string;
  health: SourceHealth;
  polling: boolean;
  circuit: BreakerState;
  lastPollAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  lastErrorCode?: string;
  lastErrorAt?: string;
  nextPollAt?: string;
  /** Newest event time delivered, for cursor lag. */
  lastEventTime?: string;
  /** `no_events_alert_hours` of the source: alert when no newer event arrived for that long. */
  noEventsAlertHours?: number;
  consecutiveFailures: number;
  eventsTotal: number;
  eventsLastHour: number;
  duplicatesTotal: number;
  pollsTotal: number;
  pollsSkipped: number;
  dedupeWindow?: number;
  /** Shared state backends: the instance holding the source's lease, and until when. */
  owner?: string;
  leaseExpiresAt?: string;
}

/** Counts per minute for the last hour, so "events in the last hour" costs O(60) memory. */
export class HourCounter {
  private readonly buckets = new Array<number>(60).fill(0);
  private readonly minutes = new Array<number>(60).fill(-1);

  add(n: number, nowMs: number): void {
    const minute = Math.floor(nowMs / 60_000);
    const slot = minute % 60;
    if (this.minutes[slot] !== minute) {
      this.minutes[slot] = minute;
      this.buckets[slot] = 0;
    }
    this.buckets[slot]! += n;
  }

  total(nowMs: number): number {
    const minute = Math.floor(nowMs / 60_000);
    let sum = 0;
    for (let i = 0; i < 60; i++) if (minute - this.minutes[i]! < 60) sum += this.buckets[i]!;
    return sum;
  }
}
