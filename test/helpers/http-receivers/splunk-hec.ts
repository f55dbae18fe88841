import { LoopbackReceiver, type Respond } from './receiver.js';

export interface HecEvent {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: Record<string, unknown>;
}

interface Channel {
  nextAckId: number;
  /** ackId → its events and how many more ack queries it stays unacknowledged. */
  pending: Map<number, { events: HecEvent[]; queriesLeft: number; lost: boolean }>;
}

/** Splits HEC's JSON event protocol: JSON objects one after another, optionally separated by whitespace. */
export function splitConcatenated(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c!)) throw new Error(`unexpected ${c} at ${i}`);
  }
  if (depth !== 0) throw new Error('unterminated object');
  return out;
}

/**
 * A Splunk HEC that behaves as Splunk documents it: `Authorization: Splunk <token>` (codes 2, 3, 4),
 * the JSON event protocol (codes 5, 6, 12), allowed indexes (7), and with indexer acknowledgment
 * a channel per client (10), ackIds counted per channel from 0, and `/services/collector/ack`
 * answering `{"acks": {"<id>": true|false}}`; an id reported true is forgotten.
 * Events count as indexed only when their ackId turns true (or at once without acknowledgment).
 */
export class SplunkHecFake extends LoopbackReceiver {
  readonly indexed: HecEvent[] = [];
  /** How many times each `event.event.uuid` (Hel's envelope) was indexed, counted as events are indexed. */
  private readonly indexedUuids = new Map<string, number>();
  readonly tokens = new Set<string>(['hec-token-0001']);
  useAck = true;
  allowedIndexes: Set<string> | undefined;
  /** Ack queries an ackId stays false before it turns true: acks that arrive late. */
  ackAfterQueries = 0;
  /** Share of ackIds that never turn true (an indexer lost the data). */
  loseRate = 0;
  random: () => number = Math.random;
  readonly channels = new Map<string, Channel>();
  ackQueries = 0;

  constructor() {
    super((req, respond) => {
      const auth = req.headers.authorization;
      if (auth === undefined) return respond(401, { text: 'Token is required', code: 2 });
      const m = /^Splunk (\S+)$/.exec(auth);
      if (!m) return respond(401, { text: 'Invalid authorization', code: 3 });
      if (!this.tokens.has(m[1]!)) return respond(403, { text: 'Invalid token', code: 4 });
      const channelId = (req.headers['x-splunk-request-channel'] as string | undefined) ?? req.query.get('channel') ?? undefined;
      if (req.path === '/services/collector/ack') return this.ack(channelId, req.body, respond);
      if (req.path !== '/services/collector/event' && req.path !== '/services/collector') return respond(404, { text: 'The requested URL was not found on this server.', code: 404 });
      if (this.useAck && channelId === undefined) return respond(400, { text: 'Data channel is missing', code: 10 });
      if (req.body.length === 0) return respond(400, { text: 'No data', code: 5 });
      let events: HecEvent[];
      try {
        events = splitConcatenated(req.body.toString('utf8')) as HecEvent[];
      } catch {
        return respond(400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 });
      }
      for (const [i, e] of events.entries()) {
        if (e.event === undefined) return respond(400, { text: 'Event field is required', code: 12, 'invalid-event-number': i });
        if (this.allowedIndexes && e.index !== undefined && !this.allowedIndexes.has(e.index)) return respond(400, { text: 'Incorrect index', code: 7, 'invalid-event-number': i });
      }
      if (!this.useAck) {
        this.index(events);
        return respond(200, { text: 'Success', code: 0 });
      }
      const channel = this.channelOf(channelId!);
      const ackId = channel.nextAckId++;
      channel.pending.set(ackId, { events, queriesLeft: this.ackAfterQueries, lost: this.random() < this.loseRate });
      respond(200, { text: 'Success', code: 0, ackId });
    });
  }

  /** How many times the event with `uuid` was indexed. */
  indexedCount(uuid: string): number {
    return this.indexedUuids.get(uuid) ?? 0;
  }

  private index(events: HecEvent[]): void {
    for (const e of events) {
      this.indexed.push(e);
      const uuid = (e.event.event as { uuid?: unknown } | undefined)?.uuid;
      if (typeof uuid === 'string') this.indexedUuids.set(uuid, (this.indexedUuids.get(uuid) ?? 0) + 1);
    }
  }

  private channelOf(id: string): Channel {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = { nextAckId: 0, pending: new Map() };
      this.channels.set(id, channel);
    }
    return channel;
  }

  private ack(channelId: string | undefined, body: Buffer, respond: Respond): void {
    if (!this.useAck) return respond(400, { text: 'ACK is disabled', code: 14 });
    if (channelId === undefined) return respond(400, { text: 'Data channel is missing', code: 10 });
    this.ackQueries++;
    let ids: unknown;
    try {
      ids = (JSON.parse(body.toString('utf8')) as { acks?: unknown }).acks;
    } catch {
      return respond(400, { text: 'Invalid data format', code: 6 });
    }
    if (!Array.isArray(ids)) return respond(400, { text: 'Invalid data format', code: 6 });
    const channel = this.channelOf(channelId);
    const acks: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      const entry = channel.pending.get(id);
      if (entry === undefined || entry.lost) {
        acks[String(id)] = false;
        continue;
      }
      if (entry.queriesLeft > 0) {
        entry.queriesLeft--;
        acks[String(id)] = false;
        continue;
      }
      this.index(entry.events);
      channel.pending.delete(id);
      acks[String(id)] = true;
    }
    respond(200, { acks });
  }
}
