import type { ResolvedSource } from '../../config/resolved.js';
import { bodyFields, buildRequest } from '../request.js';
import type { HttpRequest } from '../transport.js';
import type { PageResult, PageStep, Paginator } from './paginator.js';

type PageConfig = Extract<ResolvedSource['pagination'], { strategy: 'page' }>;
type PageOffsetConfig = Extract<ResolvedSource['pagination'], { strategy: 'page_offset' }>;
type OffsetConfig = Extract<ResolvedSource['pagination'], { strategy: 'offset' }>;

/**
 * `page` (page number), `page_offset` (the Rust Hel's name for `page` starting at 1) and `offset`
 * (item offset) pagination. Like the original, they keep no position between polls: each poll
 * starts at the first page and stops on a short page.
 */
export class CountingPaginator implements Paginator {
  readonly stateKeys = [] as const;
  readonly strategy: 'page' | 'page_offset' | 'offset';

  constructor(
    private readonly source: ResolvedSource,
    private readonly config: PageConfig | PageOffsetConfig | OffsetConfig,
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
    const position = c.strategy === 'offset' ? { [c.offset_param]: pagesDone * c.limit } : { [c.page_param]: (c.strategy === 'page' ? c.first_page : 1) + pagesDone };
    const params = { ...position, [c.limit_param]: c.limit };
    if (this.source.method === 'get') return buildRequest(this.source, { query: params });
    return buildRequest(this.source, { body: { ...bodyFields(this.source), ...params } });
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
