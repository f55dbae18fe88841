import type { ResolvedSource } from '../../config/resolved.js';
import { compilePath, getPath } from '../../pipeline/path.js';
import { buildRequest } from '../request.js';
import type { HttpRequest } from '../transport.js';
import type { PageResult, PageStep, Paginator } from './paginator.js';

type PageTokenConfig = Extract<ResolvedSource['pagination'], { strategy: 'page_token' }>;

/**
 * GET paging with an opaque page token in the query string, resumed across polls and restarts
 * from a field of the last delivered event (the 1Password v3 beta: `page_token`, `next_page_token`,
 * restart with `start_time` = the last `insert_time`, an exclusive bound). Page tokens are never
 * stored: the committed position is the resume value, so a crash after any page re-reads nothing
 * and skips nothing, and no stale token can be replayed. A response without a token ends the poll.
 */
export class PageTokenPaginator implements Paginator {
  readonly strategy = 'page_token';
  readonly stateKeys = ['resume_from'] as const;
  private readonly tokenPath;
  private readonly resumePath;

  constructor(
    private readonly source: ResolvedSource,
    private readonly config: PageTokenConfig,
  ) {
    this.tokenPath = compilePath(config.token_path);
    this.resumePath = compilePath(config.resume_path);
  }

  first(saved: Record<string, string>): HttpRequest {
    const from = saved.resume_from;
    return from ? buildRequest(this.source, { query: { [this.config.resume_param]: from } }) : buildRequest(this.source);
  }

  resumes(saved: Record<string, string>): boolean {
    return Boolean(saved.resume_from);
  }

  next(page: PageResult): PageStep {
    let resume: string | undefined;
    for (let i = page.events.length - 1; i >= 0 && resume === undefined; i--) {
      const value = getPath(page.events[i], this.resumePath);
      if (typeof value === 'string' && value.length > 0) resume = value;
    }
    const checkpoint: Record<string, string | null> = resume === undefined ? {} : { resume_from: resume };
    const raw = getPath(page.body, this.tokenPath);
    const token = typeof raw === 'string' && raw.length > 0 ? raw : undefined;
    if (token === undefined) return { checkpoint, stop: `no ${this.config.token_path}: the window is exhausted` };
    if (page.index >= this.config.max_pages) return { checkpoint, stop: `max_pages (${this.config.max_pages}) reached; the next poll resumes from ${this.config.resume_path}` };
    return { checkpoint, next: buildRequest(this.source, { url: this.source.url, query: { [this.config.token_param]: token } }) };
  }
}
