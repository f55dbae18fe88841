import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Stream } from './shapes.js';
import { STREAMS } from './shapes.js';
import type { Nanos } from './time.js';

/**
 * Where a cursor stands. The cursor is a pure function of this position and carries no server
 * session, so an old cursor can be replayed any number of times (reference §9.2).
 */
export interface CursorPosition {
  account: string;
  stream: Stream;
  /** Last delivered ingestion seq; 0 before anything. */
  seq: number;
  /** Log head when the ResetCursor was made: events after it skip the start_time filter (late arrivals). */
  head: number;
  start: Nanos;
  end: Nanos | null;
  limit: number;
}

interface CursorJson {
  v: 1;
  acct: string;
  stream: string;
  seq: number;
  head: number;
  start: string;
  end: string | null;
  limit: number;
}

/** base64url(JSON) + "." + HMAC, so a tampered or foreign cursor is detected and answered with 400. */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(position: CursorPosition): string {
    const json: CursorJson = {
      v: 1,
      acct: position.account,
      stream: position.stream,
      seq: position.seq,
      head: position.head,
      start: position.start.toString(),
      end: position.end === null ? null : position.end.toString(),
      limit: position.limit,
    };
    const payload = Buffer.from(JSON.stringify(json)).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  decode(cursor: string): CursorPosition | undefined {
    const [payload, mac, extra] = cursor.split('.');
    if (payload === undefined || mac === undefined || extra !== undefined) return undefined;
    const expected = this.mac(payload);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CursorJson;
      if (json.v !== 1 || !STREAMS.includes(json.stream as Stream)) return undefined;
      return {
        account: json.acct,
        stream: json.stream as Stream,
        seq: json.seq,
        head: json.head,
        start: BigInt(json.start),
        end: json.end === null ? null : BigInt(json.end),
        limit: json.limit,
      };
    } catch {
      return undefined;
    }
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`cursor:${payload}`).digest().subarray(0, 16);
  }
}
