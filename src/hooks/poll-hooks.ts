import type { PageStep } from '../http/pagination/paginator.js';
import type { HttpResponse, HttpTransport } from '../http/transport.js';

/** parseResponse's events: each vendor event with the time and meta the hook gave it. */
export interface HookedEvents {
  events: unknown[];
  times: (string | undefined)[];
  metas: (Record<string, unknown> | undefined)[];
  /** The hook's items as returned ({ts, source, event, meta}), for commitState. */
  items: unknown[];
}

export interface HookedPage {
  response: HttpResponse;
  body: unknown;
  /** 1-based page index within the poll. */
  index: number;
}

/**
 * What the engine asks of a source's JS hooks (src/hooks). Each member falls back to the source's
 * declarative behaviour when the script does not define the hook.
 */
export interface PollHooks {
  /** One poll: the hooks see the state committed before it. */
  begin(state: Readonly<Record<string, string>>, signal: AbortSignal): PollHookSession;
}

export interface PollHookSession {
  /** The poll's transport: every request reshaped by getAuth and buildRequest before it is sent. */
  transport(inner: HttpTransport): HttpTransport;
  /** The body parseResponse gets: JSON, or the text when it is not JSON; undefined when the script has no parseResponse. */
  body(response: HttpResponse): unknown;
  /** parseResponse; undefined when the script has none. */
  parse(page: HookedPage): Promise<HookedEvents | undefined>;
  /** getNextPage; undefined when the script has none. */
  next(page: HookedPage): Promise<PageStep | undefined>;
  /** commitState for one page's events, given the running state: keys to commit with the page. */
  checkpoint(page: {
    events: unknown[];
    hooked: HookedEvents | undefined;
    position: Readonly<Record<string, string>>;
    pagination: Readonly<Record<string, string | null>>;
  }): Promise<Record<string, string | null>>;
}
