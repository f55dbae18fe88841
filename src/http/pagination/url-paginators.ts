import type { ResolvedSource } from '../../config/resolved.js';
import { compilePath, getPath, type CompiledPath } from '../../pipeline/path.js';
import { buildRequest } from '../request.js';
import type { HttpRequest } from '../transport.js';
import { parseLinkHeader } from './link-header.js';
import type { PageResult, PageStep, Paginator } from './paginator.js';

/**
 * Strategies whose position is the next page's URL: `link_header` (RFC 8288 rel=next) and
 * `next_url` (a URL in the body). When the last page has no next link, the URL of that last page
 * is kept, so the next poll re-reads it (dedupe drops repeats) instead of starting from scratch.
 */
abstract class UrlPaginator implements Paginator {
  abstract readonly strategy: string;
  readonly stateKeys = ['next_url'] as const;

  constructor(
    protected readonly source: ResolvedSource,
    private readonly maxPages: number,
  ) {}

  protected abstract nextUrl(page: PageResult): string | undefined;

  first(saved: Record<string, string>): HttpRequest {
    return saved.next_url ? buildRequest(this.source, { url: saved.next_url }) : buildRequest(this.source);
  }

  resumes(saved: Record<string, string>): boolean {
    return Boolean(saved.next_url);
  }

  next(page: PageResult): PageStep {
    const url = this.nextUrl(page);
    if (url === undefined) return { checkpoint: { next_url: page.request.url }, stop: 'no next page' };
    if (page.events.length === 0) return { checkpoint: { next_url: url }, stop: 'empty page' };
    if (url === page.request.url) return { checkpoint: { next_url: url }, stop: 'next page is this page' };
    if (page.index >= this.maxPages) return { checkpoint: { next_url: url }, stop: `max_pages (${this.maxPages}) reached; the next poll resumes from the saved URL` };
    return { checkpoint: { next_url: url }, next: buildRequest(this.source, { url }) };
  }
}

export class LinkHeaderPaginator extends UrlPaginator {
  readonly strategy = 'link_header';
  constructor(
    source: ResolvedSource,
    private readonly config: Extract<ResolvedSource['pagination'], { strategy: 'link_header' }>,
  ) {
    super(source, config.max_pages);
  }
  protected nextUrl(page: PageResult): string | undefined {
    return parseLinkHeader(page.response.headers.link, this.config.rel, page.response.url || page.request.url);
  }
}

export class NextUrlPaginator extends UrlPaginator {
  readonly strategy = 'next_url';
  private readonly path: CompiledPath;
  constructor(source: ResolvedSource, config: Extract<ResolvedSource['pagination'], { strategy: 'next_url' }>) {
    super(source, config.max_pages);
    this.path = compilePath(config.next_url_path);
  }
  protected nextUrl(page: PageResult): string | undefined {
    const value = getPath(page.body, this.path);
    if (typeof value !== 'string' || value.length === 0) return undefined;
    try {
      return new URL(value, page.response.url || page.request.url).toString();
    } catch {
      return undefined;
    }
  }
}
