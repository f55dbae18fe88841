import type { HttpRequest, HttpResponse } from '../transport.js';

export interface PageResult {
  request: HttpRequest;
  response: HttpResponse;
  body: unknown;
  events: unknown[];
  /** 1-based page index within the poll. */
  index: number;
}

export interface PageStep {
  /** The next request, or undefined when the poll is done. */
  next?: HttpRequest;
  /** State keys to commit with this page's events (null deletes the key). */
  checkpoint: Record<string, string | null>;
  /** Why the poll stopped, when it did (shown by `hel test` and logs). */
  stop?: string;
  /** The API said there is no more data (not a page cap): a watermark may advance. */
  end?: boolean;
}

/**
 * One pagination strategy. `first` builds the poll's first request from the saved state;
 * `next` reads a page and says what to request next and what to remember.
 */
export interface Paginator {
  readonly strategy: string;
  first(saved: Record<string, string>): HttpRequest;
  next(page: PageResult): PageStep;
  /** Whether `first` resumes from a saved position (so a 400 may mean a stale cursor). */
  resumes(saved: Record<string, string>): boolean;
  /** State keys this strategy owns (cleared by a cursor reset). */
  readonly stateKeys: readonly string[];
}
