import type { ResolvedSource } from '../../config/load.js';
import { buildRequest } from '../request.js';
import type { HttpRequest } from '../transport.js';
import type { PageResult, PageStep, Paginator } from './paginator.js';

type PageConfig = Extract<ResolvedSource['pagination'], { strategy: 'page' }>;
type OffsetConfig = Extract<ResolvedSource['pagination'], { strategy: 'offset' }>;

/**
 * `page` (page number) and `offset` (item offset) pagination. Like the original, they keep no
 * position between polls: each poll starts at the first page and stops on a short page.
 */
export class CountingPaginator implements Paginator {
  readonly stateKeys = [] as const;
  readonly strategy: 'page' | 'offset';

  constructor(
    private readonly source: ResolvedSource,
    private readonly config: PageConfig | OffsetConfig,
  ) {
    this.strategy = config.strategy;
  }

  first(): HttpRequest {
    return this.requestFor(0);
  }

  resumes(): boolean {
    return false;
  }

  next(page: PageResult): PageStep {
    if (page.events.length < this.config.limit) return { checkpoint: {}, stop: 'short page' };
    if (page.index >= this.config.max_pages) return { checkpoint: {}, stop: `max_pages (${this.config.max_pages}) reached` };
    return { checkpoint: {}, next: this.requestFor(page.index) };
  }

  /** The request for the page after `pagesDone` full pages. */
  private requestFor(pagesDone: number): HttpRequest {
    const c = this.config;
    const position = c.strategy === 'page' ? { [c.page_param]: c.first_page + pagesDone } : { [c.offset_param]: pagesDone * c.limit };
    const params = { ...position, [c.limit_param]: c.limit };
    if (this.source.method === 'get') return buildRequest(this.source, { query: params });
    return buildRequest(this.source, { body: { ...(this.source.body ?? {}), ...params } });
  }
}

export class SinglePaginator implements Paginator {
  readonly strategy = 'none';
  readonly stateKeys = [] as const;
  constructor(private readonly source: ResolvedSource) {}
  first(): HttpRequest {
    return buildRequest(this.source);
  }
  resumes(): boolean {
    return false;
  }
  next(): PageStep {
    return { checkpoint: {}, stop: 'single request', end: true };
  }
}
