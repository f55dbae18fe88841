import type { IncomingMessage, ServerResponse } from 'node:http';
import { MockAccountData, type AccountDataOptions } from './account.js';
import { CursorCodec, type CursorPosition } from './cursor.js';
import { FaultState, type FaultKind } from './faults.js';
import { toApiVersion } from './items.js';
import type { MockOptions, MockRequestRecord } from './options.js';
import { SlidingWindowLimiter, type RateDecision } from './rate-limit.js';
import { parseEventRequest } from './request-body.js';
import { errorBody, send, type Headers } from './respond.js';
import { matchRoute, type Route } from './routes.js';
import type { SeededRandom } from './rng.js';
import type { ApiVersion, Stream } from './shapes.js';
import { formatRfc3339Seconds, msToNanos } from './time.js';
import { TokenAuthority, hasFeature, type MockTokenClaims } from './tokens.js';
import { PageTokenCodec, insertTimeOf, parseV3Query, readV3, toV3Event, type V3Position } from './v3.js';

const HOUR_NS = 3_600_000_000_000n;
const DAY_MS = 86_400_000;

/** A reply before it is written: status, JSON text and extra headers. */
interface Reply {
  status: number;
  body: string;
  headers?: Headers;
  reason?: string;
  items?: number;
}

/**
 * The Events API behaviour, independent of the HTTP server that feeds it: routing, auth, rate
 * limits, faults, and cursor pagination over per-account event logs.
 */
export class MockEventsApi {
  readonly requests: MockRequestRecord[] = [];
  readonly faults = new FaultState();
  readonly tokens: TokenAuthority;
  readonly defaultAccount: MockAccountData;
  private readonly accounts = new Map<string, MockAccountData>();
  private readonly cursors: CursorCodec;
  private readonly pageTokens: PageTokenCodec;
  private readonly limiter: SlidingWindowLimiter | undefined;
  private readonly dataOptions: AccountDataOptions;
  /** Timers of stalled (slow) responses, cleared on close. */
  readonly stallTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly rng: SeededRandom,
    key: Buffer,
    readonly now: () => number,
    private readonly options: MockOptions,
  ) {
    this.dataOptions = { backlog: options.events ?? 200, spreadHours: options.spreadHours ?? 48, liveEventsPerMinute: options.liveEventsPerMinute ?? 0 };
    this.defaultAccount = new MockAccountData(rng.fork('account:default'), undefined, this.dataOptions, now());
    this.accounts.set(this.defaultAccount.world.accountUuid, this.defaultAccount);
    this.cursors = new CursorCodec(key);
    this.pageTokens = new PageTokenCodec(key);
    this.tokens = new TokenAuthority(key, rng.fork('tokens'), now, (uuid) => this.account(uuid).world.integrationUuid, this.defaultAccount.world.accountUuid);
    this.limiter = options.rateLimit === false ? undefined : new SlidingWindowLimiter(options.rateLimit ?? { perMinute: 600, perHour: 30_000 });
    if (options.faults) this.faults.set(options.faults);
  }

  /** The data of an account, created (with its own backlog) the first time a token names it. */
  account(uuid: string): MockAccountData {
    let data = this.accounts.get(uuid);
    if (!data) {
      data = new MockAccountData(this.rng.fork(`account:${uuid}`), uuid, this.dataOptions, this.now());
      this.accounts.set(uuid, data);
    }
    return data;
  }

  async handle(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    const now = this.now();
    const url = new URL(req.url ?? '/', 'http://mock');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const record: MockRequestRecord = { time: now, method, path, status: 0, body: parseForRecord(rawBody) };
    const route = matchRoute(path);
    let reply: Reply;
    if (!route) {
      reply = { status: 404, body: errorBody('Not Found') };
    } else if (method !== route.method) {
      reply = { status: 405, body: errorBody('Method Not Allowed'), headers: { allow: route.method } };
    } else {
      record.version = route.kind === 'v3-auditevents' ? 'v3' : route.version;
      if (route.kind === 'events') record.stream = route.stream;
      if (route.kind === 'v3-auditevents') record.stream = 'auditevents';
      const fault = this.faults.takeReplacement();
      if (fault) {
        record.fault = fault;
        this.injectFault(fault, req, res, record);
        return;
      }
      reply = await this.answer(route, req, rawBody, url.searchParams, now, record);
    }
    record.status = reply.status;
    if (reply.reason !== undefined) record.reason = reply.reason;
    if (reply.items !== undefined) record.items = reply.items;
    const stall = this.faults.takeSlow();
    if (stall !== undefined) record.fault = 'slow';
    send(res, reply.status, reply.body, reply.headers ?? {}, stall, this.stallTimers);
    this.finish(record);
  }

  private async answer(route: Route, req: IncomingMessage, rawBody: string, query: URLSearchParams, now: number, record: MockRequestRecord): Promise<Reply> {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined) return unauthorized('no bearer token');
    const check = await this.tokens.check(bearer);
    if (!check.ok) return unauthorized(`token ${check.reason}`);
    const claims = check.claims;
    const accountUuid = claims['1password.com/auuid'];
    record.account = accountUuid;

    let rateHeaders: Headers = {};
    if (this.limiter) {
      const decision = this.limiter.take(accountUuid, now);
      // The v3 beta documents RateLimit-* headers; v1/v2 send them only when asked to.
      rateHeaders = this.options.rateLimitHeaders || route.kind === 'v3-auditevents' ? rateLimitHeaders(decision) : {};
      if (!decision.allowed) return { status: 429, body: errorBody('Too Many Requests'), headers: rateHeaders, reason: 'rate limit' };
    }
    const reply =
      route.kind === 'introspect'
        ? introspect(claims, route.version)
        : route.kind === 'v3-auditevents'
          ? this.v3AuditEvents(claims, query, now)
          : this.events(route.stream, route.version, claims, rawBody, now);
    return { ...reply, headers: { ...rateHeaders, ...reply.headers } };
  }

  private events(stream: Stream, version: ApiVersion, claims: MockTokenClaims, rawBody: string, now: number): Reply {
    if (!hasFeature(claims, stream)) return unauthorized(`token lacks the ${stream} feature`);
    const accountUuid = claims['1password.com/auuid'];
    const data = this.account(accountUuid);
    data.catchUpLive(now);
    const log = data.logs[stream];
    const request = parseEventRequest(rawBody, this.options.strict === true);
    if (request.kind === 'invalid') return badRequest(request.reason);

    let position: CursorPosition;
    if (request.kind === 'reset') {
      const end = request.end ?? null;
      const start = request.start ?? (end ?? msToNanos(now)) - HOUR_NS;
      position = { account: accountUuid, stream, seq: 0, head: log.head, start, end, limit: request.limit };
    } else {
      const decoded = this.cursors.decode(request.cursor);
      if (!decoded) return badRequest('cursor cannot be decoded or was tampered with');
      if (decoded.account !== accountUuid || decoded.stream !== stream) return badRequest('cursor belongs to another account or stream');
      position = decoded;
    }

    const retentionFloor = msToNanos(now - (this.options.retentionDays ?? 120) * DAY_MS);
    const page = log.read(position, now, retentionFloor);
    const last = page.events[page.events.length - 1];
    let cursor: string;
    if (request.kind === 'cursor' && !last) cursor = request.cursor;
    else cursor = this.cursors.encode({ ...position, seq: last?.seq ?? log.head });
    const hasMore = this.options.hasMore === 'lookahead' ? page.moreAfter : page.events.length === position.limit;
    const items = page.events.map((event) => toApiVersion(event.item, version));
    return { status: 200, body: JSON.stringify({ items, cursor, has_more: hasMore }), items: items.length };
  }

  private v3AuditEvents(claims: MockTokenClaims, query: URLSearchParams, now: number): Reply {
    if (!hasFeature(claims, 'auditevents')) return unauthorized('token lacks the auditevents feature');
    const accountUuid = claims['1password.com/auuid'];
    const data = this.account(accountUuid);
    data.catchUpLive(now);
    const parsed = parseV3Query(query, now);
    let position: V3Position;
    if (parsed.kind === 'invalid') return badRequest(parsed.reason ?? 'invalid query');
    if (parsed.kind === 'token') {
      const decoded = this.pageTokens.decode(parsed.token ?? '');
      if (!decoded) return badRequest('page_token cannot be decoded or was tampered with');
      if (decoded.account !== accountUuid) return badRequest('page_token belongs to another account');
      position = decoded;
    } else {
      position = { account: accountUuid, after: parsed.start ?? 0n, end: parsed.end ?? null, pageSize: parsed.pageSize ?? 100 };
    }
    const floor = now - (this.options.retentionDays ?? 120) * DAY_MS;
    const { page, more } = readV3(data.logs.auditevents.all, position, now, floor);
    const last = page[page.length - 1];
    const body: Record<string, unknown> = { audit_events: page.map((e) => toV3Event(e, accountUuid)) };
    if (more && last) body.next_page_token = this.pageTokens.encode({ ...position, after: insertTimeOf(last) });
    return { status: 200, body: JSON.stringify(body), items: page.length };
  }

  private injectFault(fault: FaultKind, req: IncomingMessage, res: ServerResponse, record: MockRequestRecord): void {
    const spec = this.faults.current;
    switch (fault) {
      case 'reset':
        record.status = 0;
        this.finish(record);
        req.socket.destroy();
        return;
      case 'status500':
        record.status = 500;
        send(res, 500, errorBody('Internal Server Error'), {}, undefined, this.stallTimers);
        break;
      case 'status429': {
        record.status = 429;
        const secs = spec.retryAfterSecs ?? 1;
        const mode = spec.retryAfter ?? 'seconds';
        const headers: Headers = mode === 'none' ? {} : { 'retry-after': mode === 'date' ? new Date(this.now() + secs * 1000).toUTCString() : String(secs) };
        send(res, 429, errorBody('Too Many Requests'), headers, undefined, this.stallTimers);
        break;
      }
      case 'garbage':
        record.status = 200;
        send(res, 200, '{"items":[{"uuid":"2TAQQ7MXHJQHOG6GNF3YVIETAD","timestamp":"2026-03-', {}, undefined, this.stallTimers);
        break;
      case 'empty':
        record.status = 200;
        send(res, 200, '', {}, undefined, this.stallTimers);
        break;
    }
    this.finish(record);
  }

  private finish(record: MockRequestRecord): void {
    this.requests.push(record);
    const keep = this.options.keepRequests ?? Infinity;
    // A long-running mock must not grow without bound; drop the oldest records in batches.
    if (this.requests.length > keep * 2) this.requests.splice(0, this.requests.length - keep);
    this.options.onRequest?.(record);
  }
}

function introspect(claims: MockTokenClaims, version: ApiVersion): Reply {
  const issuedAt = formatRfc3339Seconds(claims.iat * 1000);
  const features = claims['1password.com/fts'];
  const body = version === 'v1' ? { UUID: claims.sub, IssuedAt: issuedAt, Features: features } : { uuid: claims.sub, issued_at: issuedAt, features, account_uuid: claims['1password.com/auuid'] };
  return { status: 200, body: JSON.stringify(body) };
}

function rateLimitHeaders(decision: RateDecision): Headers {
  const headers: Headers = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSecs),
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.resetSecs);
  return headers;
}

function unauthorized(reason: string): Reply {
  return { status: 401, body: errorBody('Unauthorized'), reason };
}

function badRequest(reason: string): Reply {
  return { status: 400, body: errorBody('Bad Request'), reason };
}

function parseForRecord(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
