import { createServer, type ServerResponse } from 'node:http';
import type { SharedBackend, StateServer } from '../../helpers/state-server.js';
import { listenOnLoopback } from '../../helpers/loopback.js';
import { startHel, writeConfig, type HelChild } from '../../helpers/hel-process.js';

/** One request as the fake saw it: which instance asked for which page of which source, and when. */
interface SourceRequest {
  source: string;
  instance: string;
  cursor: number;
  arrived: number;
  /** When the response was sent or the client gave up (aborted, killed); undefined while in flight. */
  ended?: number;
  /** The request's X-Config header, when the config sends one (which version of a source's config asked). */
  config?: string;
}

export interface PagedApi {
  url: string;
  requests: SourceRequest[];
  /** Requests of one source by instances other than `instance` that overlapped one of `instance`'s in time. */
  overlaps(): { source: string; a: SourceRequest; b: SourceRequest }[];
  /** Holds every response of `instance` (for `source`) until the returned function is called. */
  hold(instance: string, source: string): () => void;
}

/**
 * A generic cursor-paginated API for fleet tests: GET /s/NAME?cursor=N returns `perPage` events
 * with ids NAME-N-j until `pages` pages, then empty pages. Each instance names itself in an
 * X-Instance header (the shared config sends `${HEL_INSTANCE}`), so the fake knows who polls what.
 */
export async function pagedApi(t: { after(fn: () => unknown): void }, options: { pages: number; perPage: number; delayMs?: number }): Promise<PagedApi> {
  const requests: SourceRequest[] = [];
  const holds = new Map<string, Promise<void>>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const source = url.pathname.replace(/^\/s\//, '');
    const cursor = Number(url.searchParams.get('cursor') ?? 0);
    const instance = String(req.headers['x-instance'] ?? '?');
    const config = req.headers['x-config'];
    const seen: SourceRequest = { source, instance, cursor, arrived: Date.now(), ...(typeof config === 'string' ? { config } : {}) };
    requests.push(seen);
    res.on('close', () => (seen.ended ??= Date.now()));
    void (async () => {
      await holds.get(`${instance}\u0000${source}`);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      reply(res, source, cursor, options);
    })();
  });
  const { url } = await listenOnLoopback(server, t);
  return {
    url,
    requests,
    overlaps() {
      const out: { source: string; a: SourceRequest; b: SourceRequest }[] = [];
      for (const a of requests) {
        for (const b of requests) {
          if (a.source !== b.source || a.instance === b.instance || b.arrived < a.arrived) continue;
          if (b.arrived < (a.ended ?? Infinity)) out.push({ source: a.source, a, b });
        }
      }
      return out;
    },
    hold(instance, source) {
      let release!: () => void;
      holds.set(`${instance}\u0000${source}`, new Promise<void>((r) => (release = r)));
      return () => {
        holds.delete(`${instance}\u0000${source}`);
        release();
      };
    },
  };
}

function reply(res: ServerResponse, source: string, cursor: number, options: { pages: number; perPage: number }): void {
  if (res.destroyed) return;
  const more = cursor < options.pages;
  const items = more ? Array.from({ length: options.perPage }, (_, j) => ({ id: `${source}-${cursor}-${j}`, ts: new Date(Date.UTC(2026, 0, 1, 0, cursor, j)).toISOString() })) : [];
  const text = JSON.stringify({ items, cursor: more ? cursor + 1 : cursor, has_more: more && cursor + 1 < options.pages });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** The one hel.yaml every instance of a fleet test runs. */
export function fleetConfig(
  dir: string,
  options: { api: string; sources: string[]; ttlSecs: number; intervalSecs: number; pageDelaySecs?: number; backend?: SharedBackend; configVersion?: Record<string, string>; maxPages?: number },
): string {
  const sources = Object.fromEntries(
    options.sources.map((name) => [
      name,
      {
        url: `${options.api}/s/${name}`,
        headers: { 'X-Instance': '${HEL_INSTANCE}', ...(options.configVersion?.[name] === undefined ? {} : { 'X-Config': options.configVersion[name] }) },
        schedule: { interval_secs: options.intervalSecs, jitter_secs: 0 },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', max_pages: options.maxPages ?? 1000 },
        response_events_path: 'items',
        timestamp_path: 'ts',
        dedupe: { id_path: 'id', capacity: 10_000 },
        resilience: { retries: { max_attempts: 2, initial_backoff_secs: 0.1 }, rate_limit: { page_delay_secs: options.pageDelaySecs ?? 0 } },
      },
    ]),
  );
  return writeConfig(dir, {
    global: { state: { backend: options.backend ?? 'postgres', url: '${HEL_STATE_URL}', lease_ttl_secs: options.ttlSecs, instance_id: '${HEL_INSTANCE}' } },
    sources,
  });
}

/** Starts one instance of the fleet: same config, its own name and output file. */
export function startInstance(t: { after(fn: () => unknown): void }, config: string, stateUrl: string, name: string, output: string): HelChild {
  return startHel(t, ['run', '--config', config, '--output', output], { env: { HEL_INSTANCE: name, HEL_STATE_URL: stateUrl, HEL_LOG_LEVEL: 'info' } });
}

/** Who holds which source right now, from the lease table (live leases only), through Hel's own store. */
export async function owners(server: StateServer, stateUrl: string): Promise<Map<string, string>> {
  const store = await server.shared(stateUrl);
  return new Map((await store.leases()).filter((l) => l.owner !== null).map((l) => [l.source, l.owner!]));
}

/** How many sources each instance holds. */
export function shares(map: Map<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const owner of [...map.values()].sort()) out[owner] = (out[owner] ?? 0) + 1;
  return out;
}

/** Polls `check` (async) every 50 ms until it returns true; fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Event ids in an NDJSON output file (missing file = none); a line still being written is not read. */
export function idsIn(text: string): string[] {
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { event: { id: string } }).event.id);
}
