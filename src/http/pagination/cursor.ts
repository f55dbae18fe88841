import type { ResolvedSource } from '../../config/resolved.js';
import { HelError } from '../../errors.js';
import { compilePath, getPath } from '../../pipeline/path.js';
import { redactUrl } from '../redact-url.js';
import { bodyFields, buildRequest } from '../request.js';
import type { HttpRequest } from '../transport.js';
import type { PageResult, PageStep, Paginator } from './paginator.js';

type CursorConfig = Extract<ResolvedSource['pagination'], { strategy: 'cursor' }>;

/**
 * Cursor in the response body, sent back as a query parameter (GET) or in the JSON body (POST).
 * Stops on has_more: false, a cursor echoed back with no events (the 1Password idiom for "nothing
 * new"), or max_pages, keeping the last cursor so the next poll resumes where this one stopped.
 *
 * Anomalies stop the poll with HEL_PAGINATION before the page is written, so the stored cursor is
 * kept and nothing is skipped: a missing, empty or non-string cursor while has_more says more
 * follow; a cursor that is not a string or number; the same cursor echoed back with events (the
 * server did not advance, re-posting it would fetch the same page again). A last page without a
 * cursor keeps the cursor that fetched it (`on_missing_cursor: keep`) or fails (`fail`).
 * See docs/resilience.md, "Where pagination stops".
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

  private get missingCursor(): 'keep' | 'fail' {
    return this.config.on_missing_cursor ?? 'keep';
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
    const base = this.config.cursor_in_body === 'merge' ? bodyFields(this.source) : {};
    return buildRequest(this.source, { body: { ...base, [this.config.cursor_param]: cursor } });
  }

  next(page: PageResult): PageStep {
    const raw = getPath(page.body, this.cursorPath);
    const hasMore = getPath(page.body, this.hasMorePath);
    const sent = this.sentCursor(page.request);
    if (raw !== undefined && raw !== null && raw !== '' && typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
      throw this.anomaly(page, `the response's ${this.config.cursor_path} is ${kindOfValue(raw)}, not a cursor string`);
    }
    const cursor = typeof raw === 'number' ? String(raw) : typeof raw === 'string' && raw.length > 0 ? raw : undefined;
    if (cursor === undefined) {
      const said = raw === undefined ? 'missing' : raw === null ? 'null' : 'empty';
      if (hasMore === true) throw this.anomaly(page, `has_more is true but the cursor (${this.config.cursor_path}) is ${said}`);
      if (this.missingCursor === 'fail') throw this.anomaly(page, `the cursor (${this.config.cursor_path}) is ${said} (on_missing_cursor: fail)`);
      // The last page: keep the cursor that fetched it; the next poll re-reads that page (dedupe drops repeats).
      return { checkpoint: {}, stop: sent === undefined ? 'no cursor in response' : 'no cursor in response; the cursor that fetched this page is kept', end: true };
    }
    const checkpoint = { cursor };
    if (hasMore === false) return { checkpoint, stop: 'has_more is false', end: true };
    if (cursor === sent) {
      if (page.events.length === 0) return { checkpoint, stop: 'cursor echoed with no events' };
      throw this.anomaly(page, `the server echoed the cursor it was sent with ${page.events.length} events: re-posting it would fetch the same page again`);
    }
    if (page.index >= this.config.max_pages) return { checkpoint, stop: `max_pages (${this.config.max_pages}) reached; the next poll resumes from the cursor` };
    return { checkpoint, next: this.withCursor(cursor) };
  }

  private anomaly(page: PageResult, what: string): HelError {
    return new HelError('HEL_PAGINATION', `${what}; this page was not written and the stored cursor was kept`, {
      source: this.source.name,
      url: redactUrl(page.request.url),
      status: page.response.status,
      hint: 'the API broke its pagination contract; nothing was skipped: the next poll retries from the stored cursor (docs/resilience.md, "Where pagination stops")',
    });
  }

  private sentCursor(request: HttpRequest): string | undefined {
    if (request.method === 'GET') return new URL(request.url).searchParams.get(this.config.cursor_param) ?? undefined;
    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    const value = body[this.config.cursor_param];
    return typeof value === 'string' ? value : undefined;
  }
}

function kindOfValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
