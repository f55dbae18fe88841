import type { CursorPosition } from './cursor.js';
import { msToNanos, parseRfc3339, type Nanos } from './time.js';

export interface LoggedEvent {
  /** Ingestion order, from 1. */
  seq: number;
  /** Occurrence time, parsed from the item's timestamp. */
  timestamp: Nanos;
  ingestedAt: number;
  item: { timestamp: string };
}

export interface Page {
  events: LoggedEvent[];
  /** Whether another matching event exists after the page (for has_more in lookahead mode). */
  moreAfter: boolean;
}

/**
 * One stream of one account: an append-only log in ingestion order. Reads filter on occurrence
 * time only for events that were already ingested when the cursor was reset, so an event that
 * syncs late (timestamp long before its ingestion) still reaches a persisted cursor (reference §9.1).
 */
export class EventLog {
  private readonly events: LoggedEvent[] = [];

  get head(): number {
    return this.events.length;
  }

  get size(): number {
    return this.events.length;
  }

  /** Every event in ingestion order (the v3 endpoint filters on insertion time itself). */
  get all(): readonly LoggedEvent[] {
    return this.events;
  }

  append(item: { timestamp: string }, ingestedAt: number): LoggedEvent {
    const event: LoggedEvent = { seq: this.events.length + 1, timestamp: parseRfc3339(item.timestamp) ?? msToNanos(ingestedAt), ingestedAt, item };
    this.events.push(event);
    return event;
  }

  /** Up to `position.limit` events after `position.seq` that match its window and are visible at `now`. */
  read(position: CursorPosition, now: number, retentionFloor: Nanos): Page {
    const found: LoggedEvent[] = [];
    for (let index = position.seq; index < this.events.length; index++) {
      const event = this.events[index];
      if (!event || !this.matches(event, position, now, retentionFloor)) continue;
      if (found.length === position.limit) return { events: found, moreAfter: true };
      found.push(event);
    }
    return { events: found, moreAfter: false };
  }

  private matches(event: LoggedEvent, position: CursorPosition, now: number, retentionFloor: Nanos): boolean {
    if (event.ingestedAt > now || event.timestamp < retentionFloor) return false;
    if (position.end !== null && event.timestamp >= position.end) return false;
    return event.seq > position.head || event.timestamp >= position.start;
  }
}
