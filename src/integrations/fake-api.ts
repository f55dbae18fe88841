import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockCommand } from './integration.js';

/**
 * The common part of the bundled vendor fakes (`hel mock <type>`): a loopback HTTP server, the three
 * credentials every connection test needs (good, revoked, under-scoped), a fixed-window rate limit,
 * and a growing event log. Each vendor folder adds its own routes, pagination, headers and errors.
 */

export type TokenKind = 'good' | 'revoked' | 'under-scoped';

export interface FakeTokens {
  good: string;
  revoked: string;
  underScoped: string;
}

export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The credential the vendor's scheme carries (Bearer, SSWS, Basic user), if any. */
  credential: (scheme: string) => string | undefined;
  /** The request body as text (token endpoints read their form from it). */
  body: string;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface FakeOptions {
  port?: number;
  host?: string;
  /** Makes the tokens reproducible (tests, a restarted `hel mock`). */
  seed?: string;
  now?: () => number;
  onRequest?: (line: string) => void;
  /** The rate limit's window; the vendor's (a minute, an hour) unless a test shortens it. */
  rateLimitWindowMs?: number;
}

export interface RunningFake {
  url: string;
  tokens: FakeTokens;
  /** Requests answered so far (method, path with query, status), for tests. */
  requests: string[];
  /** Answers the next `times` requests with `reply` (fault injection: outages, rate limits). */
  inject(reply: FakeReply, times?: number): void;
  close(): Promise<void>;
}

export function fakeTokens(prefix: string, seed: string | undefined): FakeTokens {
  const part = (kind: string) => (seed === undefined ? randomBytes(12).toString('hex') : `${seed}-${kind}`);
  return { good: `${prefix}${part('good')}`, revoked: `${prefix}${part('revoked')}`, underScoped: `${prefix}${part('scoped')}` };
}

export function tokenKind(tokens: FakeTokens, token: string | undefined): TokenKind | undefined {
  if (token === tokens.good) return 'good';
  if (token === tokens.revoked) return 'revoked';
  if (token === tokens.underScoped) return 'under-scoped';
  return undefined;
}

function credentialOf(headers: IncomingHttpHeaders, scheme: string): string | undefined {
  const value = headers.authorization;
  if (value === undefined || !value.toLowerCase().startsWith(`${scheme.toLowerCase()} `)) return undefined;
  const rest = value.slice(scheme.length + 1).trim();
  if (scheme.toLowerCase() !== 'basic') return rest;
  return Buffer.from(rest, 'base64').toString('utf8').split(':')[0];
}

/** A fake reads at most this much of a request body (a token request is a few kilobytes). */
const MAX_REQUEST_BODY = 64 * 1024;

export async function startFake(options: FakeOptions, tokens: FakeTokens, handle: (req: FakeRequest) => FakeReply | Promise<FakeReply>): Promise<RunningFake> {
  const requests: string[] = [];
  const injected: FakeReply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BODY) chunks.push(chunk);
    });
    const url = new URL(req.url ?? '/', 'http://fake');
    const answer = async (): Promise<FakeReply> => {
      try {
        const body = Buffer.concat(chunks).toString('utf8');
        return injected.shift() ?? (await handle({ method: req.method ?? 'GET', url, headers: req.headers, body, credential: (scheme) => credentialOf(req.headers, scheme) }));
      } catch (err) {
        return { status: 500, body: { message: String(err) } };
      }
    };
    req.on('end', () => {
      void answer().then((reply) => {
        const line = `${req.method ?? 'GET'} ${url.pathname}${url.search} ${reply.status}`;
        requests.push(line);
        options.onRequest?.(line);
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers }).end(JSON.stringify(reply.body));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    tokens,
    requests,
    inject: (reply, times = 1) => injected.push(...Array.from({ length: times }, () => reply)),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      })),
  };
}

/** A fixed-window request limit as the vendors document them: `limit` requests per `windowMs`. */
export class FixedWindowLimit {
  private windowStart = 0;
  private used = 0;
  constructor(
    readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts one request; says whether it is allowed, what is left and when the window resets (ms). */
  take(): { allowed: boolean; remaining: number; resetAt: number } {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now - (now % this.windowMs);
      this.used = 0;
    }
    const allowed = this.used < this.limit;
    if (allowed) this.used += 1;
    return { allowed, remaining: this.limit - this.used, resetAt: this.windowStart + this.windowMs };
  }
}

/** A deterministic, growing log of events, oldest first; `make` builds the vendor's shape. */
export class EventLog<E> {
  readonly events: E[] = [];
  private count = 0;
  constructor(private readonly make: (n: number, at: number) => E) {}

  /** Adds `n` events spread evenly over the `spanMs` before `end`. */
  backfill(n: number, end: number, spanMs: number): void {
    for (let i = 0; i < n; i++) this.add(end - spanMs + Math.floor(((i + 1) * spanMs) / (n + 1)));
  }

  add(at: number): E {
    const event = this.make(++this.count, at);
    this.events.push(event);
    return event;
  }
}

/** What `hel mock <type>` needs to know of a vendor fake to start it and print its banner. */
export interface FakeCommandSpec {
  description: string;
  /** e.g. "Okta System Log". */
  title: string;
  /** What the under-scoped credential lacks, e.g. "read:audit_log". */
  lacks: string;
  /** The variable the short form reads the credential from. */
  env: string;
  /** The requests-per-window flag's help and default, when the fake has a rate limit. */
  rateLimit?: { description: string; default: string };
  start(options: FakeOptions & { events: number; rateLimit?: number }): Promise<RunningFake>;
  /** A short-form entry pointing at the fake, and a curl line reading from it. */
  example(url: string): string;
  curl(url: string): string;
}

/** `hel mock <type>` for a fake built on startFake: --events, --seed, an optional --rate-limit, and a banner. */
export function fakeCommand(spec: FakeCommandSpec): MockCommand {
  return {
    description: spec.description,
    options: [
      { flags: '--events <n>', description: 'backlog spread over the last 48 hours', default: '200' },
      { flags: '--seed <seed>', description: 'same seed, same tokens across restarts' },
      ...(spec.rateLimit ? [{ flags: '--rate-limit <n>', ...spec.rateLimit }] : []),
    ],
    async start(opts, log) {
      const fake = await spec.start({
        port: Number(opts.port),
        host: String(opts.host),
        events: Number(opts.events),
        ...(spec.rateLimit ? { rateLimit: Number(opts.rateLimit) } : {}),
        ...(opts.seed === undefined ? {} : { seed: String(opts.seed) }),
        ...(log ? { onRequest: log } : {}),
      });
      const { good, revoked, underScoped } = fake.tokens;
      return {
        url: fake.url,
        banner: [
          `${spec.title} fake listening on ${fake.url}`,
          `token: ${good}   (revoked: ${revoked}, without ${spec.lacks}: ${underScoped})`,
          '',
          'try it:',
          `  export ${spec.env}=${good}`,
          `  # hel.yaml:  sources: ${spec.example(fake.url)}`,
          `  ${spec.curl(fake.url)}`,
        ],
        close: () => fake.close(),
      };
    },
  };
}
