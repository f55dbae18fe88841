import type { FaultKind, FaultSpec } from './faults.js';
import type { RateLimits } from './rate-limit.js';
import type { ApiVersion, Stream } from './shapes.js';
import type { JWK } from 'jose';
import type { MintOptions } from './tokens.js';

export interface MockOptions {
  /** 0 = ephemeral (the default here; the CLI defaults to 8787). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Initial backlog per stream; default 200, spread over the last `spreadHours` ending now. */
  events?: number;
  /** Default 48. */
  spreadHours?: number;
  /** Same seed, same people, ids and events (and tokens/cursors stay valid across restarts). */
  seed?: string | number;
  /** Injectable clock in ms; drives timestamps, token expiry, rate limits and live growth. */
  now?: () => number;
  /** Default 600/min and 30,000/h per account; false disables limiting. */
  rateLimit?: RateLimits | false;
  /** Send RateLimit-Limit/Remaining/Reset (and Retry-After on 429); default false, as v1/v2 don't document them. */
  rateLimitHeaders?: boolean;
  /** Events older than this are hidden; default 120. */
  retentionDays?: number;
  /** 400 when `cursor` is combined with ResetCursor fields. */
  strict?: boolean;
  /** full-page (default): has_more = items.length === limit. lookahead: true only if more matching events exist. */
  hasMore?: 'full-page' | 'lookahead';
  /** New events appended per stream per minute of (injected) clock time; default 0. */
  liveEventsPerMinute?: number;
  faults?: FaultSpec;
  /** Called after every request is answered (the CLI logs with it). */
  onRequest?: (record: MockRequestRecord) => void;
  /** How many of the latest requests `requests` keeps; default all (tests), the CLI keeps 1,000. */
  keepRequests?: number;
}

export interface MockRequestRecord {
  /** Injected-clock ms when the request arrived. */
  time: number;
  method: string;
  path: string;
  /** 0 when the connection was reset instead of answered. */
  status: number;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  /** Account of a valid token. */
  account?: string;
  version?: ApiVersion | 'v3';
  stream?: Stream;
  /** Items returned by an event endpoint. */
  items?: number;
  fault?: FaultKind | 'slow';
  /** Why the request was refused (400/401), for debugging; never sent to the client. */
  reason?: string;
}

interface AppendOptions {
  /** The event happened this many minutes before it is ingested (a late item usage sync). */
  lateMinutes?: number;
}

export interface MockServer {
  /** http://HOST:PORT */
  url: string;
  port: number;
  /** ES256-signed; all three features, aud ["events.1password.com"], no exp. */
  token: string;
  /** The public key that verifies every token this mock mints (ES256, with its kid). */
  publicJwk: JWK;
  mintToken(opts?: MintOptions): Promise<string>;
  revokeToken(token: string): void;
  /** Explicit items (missing fields generated) or N generated items, ingested now into the default account. */
  append(stream: Stream, items: object[] | number, opts?: AppendOptions): void;
  setFaults(faults: FaultSpec): void;
  /** Every request, in arrival order. */
  requests: MockRequestRecord[];
  /** Stops listening and drops open connections (stalled responses too); calling it again is harmless. */
  close(): Promise<void>;
}
