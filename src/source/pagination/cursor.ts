import type { ResolvedSource } from '../../config/load.js';
import { compilePath, getPath } from '../../pipeline/path.js';
import { buildRequest } from '../request.js';
import type { HttpRequest } from '../transport.js';
import type { PageResult, PageStep, Paginator } from './paginator.js';

type CursorConfig = Extract<ResolvedSource['pagination'], { strategy: 'cursor' }>;

/**
 * Cursor in the response body, sent back as a query parameter (GET) or in the JSON body (POST).
 * Stops on has_more: false, a missing or empty cursor, a cursor echoed back with no events (the
 * 1Password idiom for "nothing new"), or max_pages. The last cursor is kept, so the next poll
 * resumes where this one stopped and never re-reads from the start.
 */
export class CursorPaginator implements Paginator {
  readonly strategy = 'cursor';
  readonly stateKeys = ['cursor'] as const;
  private readonly cursorPath;
  private readonly hasMorePath;

  constructor(
    private readonly source: ResolvedSource,
    private readonly config: CursorConfig,
  ) {
    this.cursorPath = compilePath(config.cursor_path);
    this.hasMorePath = compilePath(config.has_more_path);
  }

  first(saved: Record<string, string>): HttpRequest {
    const cursor = saved.cursor;
    return cursor ? this.withCursor(cursor) : buildRequest(this.source);
  }

  resumes(saved: Record<string, string>): boolean {
    return Boolean(saved.cursor);
  }

  withCursor(cursor: string): HttpRequest {
    if (this.source.method === 'get') return buildRequest(this.source, { query: { [this.config.cursor_param]: cursor } });
    const base = this.config.cursor_in_body === 'merge' ? (this.source.body ?? {}) : {};
    return buildRequest(this.source, { body: { ...base, [this.config.cursor_param]: cursor } });
  }

  next(page: PageResult): PageStep {
    const raw = getPath(page.body, this.cursorPath);
    const cursor = typeof raw === 'string' && raw.length > 0 ? raw : typeof raw === 'number' ? String(raw) : undefined;
    const hasMore = getPath(page.body, this.hasMorePath);
    // An empty cursor (Slack's `next_cursor: ""`) is the API's "no more pages": the saved position stays.
    if (raw === '') return { checkpoint: {}, stop: 'empty cursor: no more pages', end: true };
    if (cursor === undefined) return { checkpoint: { cursor: null }, stop: 'no cursor in response' };
    const checkpoint = { cursor };
    if (hasMore === false) return { checkpoint, stop: 'has_more is false', end: true };
    if (page.events.length === 0 && cursor === this.sentCursor(page.request)) return { checkpoint, stop: 'cursor echoed with no events' };
    if (page.index >= this.config.max_pages) return { checkpoint, stop: `max_pages (${this.config.max_pages}) reached; the next poll resumes from the cursor` };
    return { checkpoint, next: this.withCursor(cursor) };
  }

  private sentCursor(request: HttpRequest): string | undefined {
    if (request.method === 'GET') return new URL(request.url).searchParams.get(this.config.cursor_param) ?? undefined;
    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    const value = body[this.config.cursor_param];
    return typeof value === 'string' ? value : undefined;
  }
}
