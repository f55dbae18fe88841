import type { SeededRandom } from './rng.js';
import { makeItem } from './items.js';
import { EventLog } from './event-log.js';
import type { Stream } from './shapes.js';
import { STREAMS } from './shapes.js';
import { buildWorld, type MockWorld } from './world.js';

export interface AccountDataOptions {
  backlog: number;
  spreadHours: number;
  liveEventsPerMinute: number;
}

const HOUR_MS = 3_600_000;

/**
 * The data of one account: its people and one event log per stream. The backlog is generated at
 * creation; live growth is generated lazily from the injected clock at each request, so a test
 * can move time forward and see exactly the events that "happened" meanwhile.
 */
export class MockAccountData {
  readonly world: MockWorld;
  readonly logs: Record<Stream, EventLog>;
  private readonly rngs: Record<Stream, SeededRandom>;
  private readonly liveGenerated: Record<Stream, number> = { auditevents: 0, signinattempts: 0, itemusages: 0 };
  private readonly createdAt: number;

  constructor(
    rng: SeededRandom,
    accountUuid: string | undefined,
    private readonly options: AccountDataOptions,
    now: number,
  ) {
    this.world = buildWorld(rng.fork('world'), accountUuid === undefined ? {} : { accountUuid });
    this.logs = { auditevents: new EventLog(), signinattempts: new EventLog(), itemusages: new EventLog() };
    this.rngs = { auditevents: rng.fork('auditevents'), signinattempts: rng.fork('signinattempts'), itemusages: rng.fork('itemusages') };
    this.createdAt = now;
    for (const stream of STREAMS) this.generateBacklog(stream, now);
  }

  /** Appends a generated (or partly specified) item ingested at `now`, `lateMinutes` after it happened. */
  append(stream: Stream, now: number, overrides?: object, lateMinutes = 0): void {
    const occurredAt = now - Math.max(0, lateMinutes) * 60_000;
    const item = makeItem(stream, this.rngs[stream], 'v2', overrides, { world: this.world, at: occurredAt });
    this.logs[stream].append(item, now);
  }

  catchUpLive(now: number): void {
    const rate = this.options.liveEventsPerMinute;
    if (rate <= 0) return;
    const interval = 60_000 / rate;
    const due = Math.floor((now - this.createdAt) / interval);
    for (const stream of STREAMS) {
      while (this.liveGenerated[stream] < due) {
        this.liveGenerated[stream] += 1;
        const ingestedAt = this.createdAt + this.liveGenerated[stream] * interval;
        this.append(stream, ingestedAt, undefined, this.lateness(stream));
      }
    }
  }

  /** Item usages sync from clients and are sometimes minutes late (reference §10); the others are not. */
  private lateness(stream: Stream): number {
    const rng = this.rngs[stream];
    return stream === 'itemusages' && rng.chance(0.1) ? rng.int(5, 45) : 0;
  }

  private generateBacklog(stream: Stream, now: number): void {
    const count = this.options.backlog;
    const span = this.options.spreadHours * HOUR_MS;
    const rng = this.rngs[stream];
    for (let i = 0; i < count; i++) {
      // Evenly spread with jitter, oldest first, the newest just before now.
      const ingestedAt = Math.min(now, Math.round(now - span + ((i + rng.next()) * span) / count));
      this.append(stream, ingestedAt, undefined, this.lateness(stream));
    }
  }
}
