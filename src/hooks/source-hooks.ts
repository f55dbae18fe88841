import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ResolvedSource } from '../config/resolved.js';
import { HelError, isHelError } from '../errors.js';
import type { PageStep } from '../http/pagination/paginator.js';
import { redactUrl } from '../http/redact-url.js';
import type { HttpRequest, HttpResponse, HttpTransport } from '../http/transport.js';
import type { HooksGlobalConfig } from '../config/hooks-schema.js';
import type { HookedEvents, HookedPage, PollHooks, PollHookSession } from './poll-hooks.js';
import type { HookRunner } from './sandbox/runner.js';
import type { HookName } from './sandbox/protocol.js';
import { authShape, itemsShape, nextPageShape, requestShape, shapeError, stateShape, type HookAuth, type HookRequest } from './shapes.js';
import { withAuth, withBuiltRequest, withNextPage } from './requests.js';

/** Pages one poll follows through getNextPage when the source sets no max_pages. */
const DEFAULT_HOOK_MAX_PAGES = 100;

export interface SourceHooksOptions {
  source: ResolvedSource;
  runner: HookRunner;
  /** The script's name in errors. */
  filename: string;
  global: Pick<HooksGlobalConfig, 'auth_cache_ttl_secs'>;
  /** The environment hooks see as ctx.env. */
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

/**
 * Helr's hook model on Hel's poll: getAuth and buildRequest shape every request, parseResponse
 * finds the events, getNextPage chooses the next page, and commitState names the state to keep,
 * committed with each page after its events are delivered. Lives as long as the source, so
 * getAuth's result is reused across polls for auth_cache_ttl_secs.
 */
export class SourceHooks implements PollHooks {
  private cachedAuth: { value: HookAuth | null; expiresAt: number } | undefined;

  constructor(readonly options: SourceHooksOptions) {}

  begin(state: Readonly<Record<string, string>>, signal: AbortSignal): PollHookSession {
    return new HookSession(this, { ...state }, signal);
  }

  /** getAuth's result: cached, unless `fresh` (the server refused the cached one). */
  async auth(call: () => Promise<unknown>, fresh: boolean): Promise<{ value: HookAuth | null; cached: boolean }> {
    const now = this.options.clock.now();
    if (!fresh && this.cachedAuth !== undefined && now < this.cachedAuth.expiresAt) return { value: this.cachedAuth.value, cached: true };
    const value = authShape(await call(), this.fail('getAuth'));
    this.cachedAuth = { value, expiresAt: now + this.options.global.auth_cache_ttl_secs * 1000 };
    return { value, cached: false };
  }

  fail(hook: HookName) {
    return shapeError(this.options.source.name, hook, this.options.filename);
  }
}

class HookSession implements PollHookSession {
  /** The requests as buildRequest shaped them, by page index: getNextPage gets the one it follows. */
  private readonly sent = new Map<number, HttpRequest>();
  /** getAuth's result for this poll (with a TTL of 0, getAuth runs once per poll). */
  private pollAuth: Promise<{ value: HookAuth | null; cached: boolean }> | undefined;
  private lastCursor: string | undefined;
  /** Whether parseResponse gave a meta.cursor for the page being processed. */
  private pageHadCursor = false;
  /** Whether the script has parseResponse, known once the first request is sent. */
  private readsText = false;

  constructor(
    private readonly hooks: SourceHooks,
    private readonly state: Record<string, string>,
    private readonly signal: AbortSignal,
  ) {}

  private get source(): ResolvedSource {
    return this.hooks.options.source;
  }

  private async defines(hook: HookName): Promise<boolean> {
    return (await this.hooks.options.runner.defined()).has(hook);
  }

  private ctx(state: Readonly<Record<string, string>>, requestId = randomUUID()): Record<string, unknown> {
    const from = (this.source as { from?: unknown }).from;
    return {
      env: this.hooks.options.env,
      state,
      requestId,
      sourceId: this.source.name,
      defaultSince: typeof from === 'string' ? from : undefined,
      pagination: { lastCursor: this.lastCursor ?? state.cursor },
      headers: this.source.headers,
    };
  }

  private call(hook: HookName, args: unknown[]): Promise<unknown> {
    return this.hooks.options.runner.call(hook, args, this.signal);
  }

  transport(inner: HttpTransport): HttpTransport {
    return {
      send: async (request, context) => {
        const requestId = randomUUID();
        const ctx = this.ctx(this.state, requestId);
        const authFor = (fresh: boolean) => this.hooks.auth(() => this.call('getAuth', [ctx]), fresh);
        let auth: { value: HookAuth | null; cached: boolean } | undefined;
        if (await this.defines('getAuth')) {
          this.pollAuth ??= authFor(false);
          auth = await this.pollAuth;
        }
        this.readsText = await this.defines('parseResponse');
        let built: HookRequest | null = null;
        if (await this.defines('buildRequest')) built = requestShape(await this.call('buildRequest', [ctx]), this.hooks.fail('buildRequest'));
        const shaped = built === null ? request : withBuiltRequest(request, built, context.page === 1, this.hooks.fail('buildRequest'));
        // Kept without getAuth's credentials: getNextPage builds on it, and never sees them.
        this.sent.set(context.page, shaped);
        const send = (value: HookAuth | null) =>
          inner.send(value === null ? shaped : withAuth(shaped, value, this.hooks.fail('getAuth')), { ...context, hookCredentials: built !== null, textBody: this.readsText });
        try {
          return await send(auth?.value ?? null);
        } catch (err) {
          // A cached credential the server now refuses: getAuth runs again, and the request is sent once more.
          if (auth?.cached !== true || !isHelError(err) || err.context.status !== 401) throw err;
          this.pollAuth = authFor(true);
          auth = await this.pollAuth;
          return send(auth.value);
        }
      },
    };
  }

  body(response: HttpResponse): unknown {
    if (!this.readsText) return undefined;
    if (response.parsed !== undefined) return response.parsed;
    const text = response.body.toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  async parse(page: HookedPage): Promise<HookedEvents | undefined> {
    if (!(await this.defines('parseResponse'))) return undefined;
    const value = await this.call('parseResponse', [this.ctx(this.state), responseArg(page)]);
    const items = itemsShape(value, this.hooks.fail('parseResponse'), [this.source.name, this.source.labelValue]);
    this.pageHadCursor = false;
    for (const item of items) {
      const cursor = item.meta?.cursor;
      if (typeof cursor === 'string' && cursor !== '') {
        this.lastCursor = cursor;
        this.pageHadCursor = true;
      }
    }
    return { events: items.map((i) => i.event), times: items.map((i) => i.ts), metas: items.map((i) => i.meta), items: value as unknown[] };
  }

  async next(page: HookedPage): Promise<PageStep | undefined> {
    if (!(await this.defines('getNextPage'))) return undefined;
    const sent = this.sent.get(page.index);
    if (sent === undefined) throw new HelError('HEL_HOOK', `getNextPage: no request was sent for page ${page.index}`, { source: this.source.name });
    const next = nextPageShape(await this.call('getNextPage', [this.ctx(this.state), requestArg(sent), responseArg(page)]), this.hooks.fail('getNextPage'));
    if (next === null) return { checkpoint: {}, stop: 'getNextPage returned null', end: true };
    const request = withNextPage(sent, next);
    if (request.url === sent.url && request.body === sent.body) {
      throw new HelError('HEL_PAGINATION', 'getNextPage returned the request that fetched this page; following it would fetch the same page forever', {
        source: this.source.name,
        url: redactUrl(sent.url),
        hint: 'return a new url or body (e.g. the next cursor or offset), or null when there are no more pages',
      });
    }
    const maxPages = 'max_pages' in this.source.pagination ? this.source.pagination.max_pages : DEFAULT_HOOK_MAX_PAGES;
    if (page.index >= maxPages) return { checkpoint: {}, stop: `max pages (${maxPages}) reached; commitState decides where the next poll starts` };
    return { checkpoint: {}, next: request };
  }

  async checkpoint(page: {
    events: unknown[];
    hooked: HookedEvents | undefined;
    position: Readonly<Record<string, string>>;
    pagination: Readonly<Record<string, string | null>>;
  }): Promise<Record<string, string | null>> {
    const declared = page.pagination.cursor;
    if (!this.pageHadCursor && typeof declared === 'string') this.lastCursor = declared;
    this.pageHadCursor = false;
    if (!(await this.defines('commitState'))) return {};
    const items = page.hooked?.items ?? page.events.map((event) => ({ ts: '', source: this.source.name, event, meta: {} }));
    return stateShape(await this.call('commitState', [this.ctx(page.position), items]), this.hooks.fail('commitState'));
  }
}

/** Helr's `response`: status, headers (lower-case names) and the body as JSON, or text when it is not JSON. */
function responseArg(page: HookedPage): { status: number; headers: Record<string, string>; body: unknown } {
  return { status: page.response.status, headers: page.response.headers, body: page.body };
}

/** Helr's `request` for getNextPage: the URL and the body as sent (parsed when JSON). */
function requestArg(request: HttpRequest): { url: string; method: string; body: unknown } {
  let body: unknown = request.body;
  if (request.body !== undefined) {
    try {
      body = JSON.parse(request.body);
    } catch {
      // Sent as text: given as text.
    }
  }
  return { url: request.url, method: request.method, body };
}
