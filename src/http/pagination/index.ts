import type { ResolvedSource } from '../../config/resolved.js';
import { CountingPaginator, SinglePaginator } from './counting.js';
import { CursorPaginator } from './cursor.js';
import type { Paginator } from './paginator.js';
import { LinkHeaderPaginator, NextUrlPaginator } from './url-paginators.js';
import { PageTokenPaginator } from './page-token.js';

export function paginatorFor(source: ResolvedSource): Paginator {
  const p = source.pagination;
  switch (p.strategy) {
    case 'cursor':
      return new CursorPaginator(source, p);
    case 'link_header':
      return new LinkHeaderPaginator(source, p);
    case 'next_url':
      return new NextUrlPaginator(source, p);
    case 'page':
    case 'page_offset':
    case 'offset':
      return new CountingPaginator(source, p);
    case 'page_token':
      return new PageTokenPaginator(source, p);
    case 'none':
      return new SinglePaginator(source);
  }
}
