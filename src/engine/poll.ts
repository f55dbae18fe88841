import type { Emitter } from '../bus/event-bus.js';
import type { ResolvedSource } from '../config/resolved.js';
import type { Clock } from '../clock.js';
import { HelError, isHelError } from '../errors.js';
import { describeError, errorLogFields } from '../errors/format.js';
import type { LineEncoder } from '../pipeline/envelope.js';
import { eventExtractor } from '../pipeline/extract.js';
import { LineBuffer } from '../pipeline/line-buffer.js';
import { timeMs } from '../pipeline/time-ms.js';
import type { Paginator } from '../http/pagination/paginator.js';
import { parseJsonBody } from '../http/json-body.js';
import { redactUrl } from '../http/redact-url.js';
import type { HttpRequest, HttpResponse, HttpTransport } from '../http/transport.js';
import type { BatchSink } from '../sink/batch-sink.js';
import { watermarkFor, withFrom } from '../http/watermark.js';
import { cursorResetRequest } from './cursor-reset.js';
import type { HookedEvents, PollHooks } from '../hooks/poll-hooks.js';
import type { SourceState, StateChange } from './source-state.js';
import { PollCommits, type CommitEventMap } from './poll-commits.js';

/** What one page did, for `hel test`, progress and metrics. */
export interface PageReport {
  index: number;
  status: number;
  events: number;
  emitted: number;
  duplicates: number;
  durationMs: number;
  /** Rate-limit related response headers, as received. */
  rateLimitHeaders: Record<string, string>;
  newestEventTime?: string;
}

export interface PollResult {
  pages: number;
  events: number;
  emitted: number;
  duplicates: number;
  unkeyed: number;
  stop: string;
  /** Position keys after the poll (committed, or what would be committed with `commit: false`). */
  position: Record<string, string>;
  cursorReset: boolean;
  /** Events over max_line_bytes that were dropped (skip) or cut (truncate). */
  oversized: number;
}

export interface PollDeps {
  source: ResolvedSource;
  transport: HttpTransport;
  paginator: Paginator;
  encoder: LineEncoder;
  sink: BatchSink;
  clock: Clock;
  /** The source's committed state: read here, changed only through its commit. */
  state: SourceState;
  /** The source's JS hooks, when it has a script. */
  hooks?: PollHooks;
  /** The runtime's event bus: pages, commits, a reset cursor and tolerated problems are reported there. */
  events: Emitter<PollEventMap>;
}

/** What a poll reports on the runtime's event bus (src/bus): each event's name and payload. */
export interface PollEventMap extends CommitEventMap {
  /** A page was written and, unless checkpoint: end_of_tick holds it, committed. */
  'poll.page': { source: string; page: PageReport };
  /** The server rejected the stored cursor; on_cursor_error: reset restarts from `from` (the last event time). */
  'poll.cursor_reset': { source: string; from: string | undefined; status: number | undefined };
}

export interface PollOptions {
  signal: AbortSignal;
  /** False for `hel test` without --commit: events are written, nothing is saved. */
  commit: boolean;
  /** Aborts the poll's requests only (timeouts.poll_tick_secs): pages already read are still written and committed. */
  deadline?: AbortSignal;
  /**
   * The state a successful poll ends with (no last error, the breaker after a success...): committed
   * with the poll's last page, or alone when the poll ends without a page to commit.
   */
  finish?: () => StateChange;
}

const RATE_HEADER = /ratelimit|retry-after/i;

/**
 * One poll of one source: walk its pages until the paginator stops. For every page the events are
 * written, the sink flushed, and only then the page's checkpoint (position, event count, dedupe
 * ids) handed to the source's state, which commits it in one transaction and only then applies it.
 * A crash at any point therefore re-emits at most the page in flight, never skips one.
 *
 * With dedupe and a sink that can read its output back (a file), the checkpoint also records where
 * the output stood (`output_position`), from the poll's start until its end: after a crash the
 * source reads back the lines written after it (SourceRuntime.init), so the page in flight is not
 * written twice.
 */
export async function pollSource(deps: PollDeps, options: PollOptions): Promise<PollResult> {
  const { source, transport, paginator, encoder, sink, state, clock } = deps;
  const dedupe = state.dedupe;
  const extract = eventExtractor({ eventsPath: source.response_events_path, objectPath: source.response_event_object_path, objectIsEvent: source.response_streaming === undefined });
  const pageDelayMs = source.resilience.rate_limit.page_delay_secs * 1000;
  const position: Record<string, string> = { ...state.keys };
  const result: PollResult = { pages: 0, events: 0, emitted: 0, duplicates: 0, unkeyed: 0, stop: '', position, cursorReset: false, oversized: 0 };

  // The next page is requested while this one is written, flushed and committed: its request
  // needs only the cursor, not the commit. Commits stay strictly in page order. A failed commit
  // aborts the request in flight, whose page is then simply never read.
  const inFlight = new AbortController();
  const signal = AbortSignal.any([options.signal, inFlight.signal, ...(options.deadline ? [options.deadline] : [])]);
  const hooks = deps.hooks?.begin(state.stored(), signal);
  const sender = hooks?.transport(transport) ?? transport;
  const send = (req: HttpRequest, page: number, carriesCursor: boolean) => sender.send(req, { source: source.name, signal, page, carriesCursor });
  const watermark = watermarkFor(source);
  let resumed = paginator.resumes(state.keys);
  let request: HttpRequest | undefined = paginator.first(state.keys);
  if (watermark && !resumed) {
    request = watermark.first(request, state.keys, clock.now());
    if (request === undefined) result.stop = 'nothing new to ask for (the time window is collected)';
  }
  if (request && !resumed) request = withFrom(request, source, state.keys);
  let prefetched: Promise<HttpResponse> | undefined;
  const lines = new LineBuffer();
  let bytes = 0;
  const commits = new PollCommits({ source, state, sink, clock, signal: options.signal, commit: options.commit, finish: options.finish, events: deps.events });
  await commits.begin();
  // A failed commit also aborts the request in flight.
  const commitPending = (last: boolean): Promise<void> =>
    commits.commitPending(last).catch((err: unknown) => {
      inFlight.abort();
      throw err;
    });
  /** What a hook reads: the position so far, with the event count and breaker Hel keeps. */
  const hookView = (): Record<string, string> => {
    const { events_total: total, breaker } = state.stored();
    const emitted = options.commit ? commits.emitted : result.emitted;
    const view: Record<string, string> = { ...position };
    if (total !== undefined || result.pages > 0) view.events_total = String(state.eventsTotal + emitted);
    if (breaker !== undefined) view.breaker = breaker;
    return view;
  };
  const perPage = source.checkpoint === 'per_page';
  while (request) {
    const index = result.pages + 1;
    if (index > 1 && pageDelayMs > 0) await clock.sleep(pageDelayMs, options.signal);

    const started = clock.now();
    let response: HttpResponse;
    try {
      response = await (prefetched ?? send(request, index, resumed && paginator.stateKeys.length > 0));
      prefetched = undefined;
    } catch (err) {
      if (options.commit) await commitPending(skipsParseError(source, err));
      if (skipsParseError(source, err)) {
        result.stop = parseErrorSkipped(err, deps);
        break;
      }
      if (index === 1 && resumed && isHelError(err) && err.context.cursorRejected === true) {
        if (source.on_cursor_error === 'reset' && !result.cursorReset) {
          deps.events.emit('poll.cursor_reset', { source: source.name, from: position.last_event_time, status: err.context.status });
          request = cursorResetRequest(source, paginator, position.last_event_time);
          for (const key of paginator.stateKeys) delete position[key];
          result.cursorReset = true;
          resumed = false;
          continue;
        }
        throw staleCursorError(err, source);
      }
      throw err;
    }
    if (response.status < 200 || response.status >= 300) {
      throw new HelError('HEL_HTTP_STATUS', `unexpected HTTP ${response.status}`, { source: source.name, url: redactUrl(request.url), status: response.status });
    }

    let body: unknown;
    let events: unknown[];
    let hooked: HookedEvents | undefined;
    try {
      body = hooks?.body(response) ?? parseJsonBody(response, { source: source.name, url: redactUrl(request.url) }, source.on_invalid_utf8);
      hooked = await hooks?.parse({ response, body, index });
      const extracted = hooked ?? extract(body);
      if (!('events' in extracted)) throw new HelError('HEL_RESPONSE_PARSE', extracted.problem, { source: source.name, url: redactUrl(request.url), status: response.status, hint: extracted.hint });
      events = extracted.events;
    } catch (err) {
      if (options.commit) await commitPending(skipsParseError(source, err));
      if (!skipsParseError(source, err)) throw err;
      result.stop = parseErrorSkipped(err, deps);
      break;
    }

    // Before any id of the page counts as seen: a paginator that rejects the page (HEL_PAGINATION) leaves nothing half-done.
    let step = (await hooks?.next({ response, body, index })) ?? paginator.next({ request, response, body, events, index });
    bytes += response.body.length;
    if (step.next && source.max_bytes !== undefined && bytes >= source.max_bytes) {
      step = { checkpoint: step.checkpoint, stop: `max_bytes (${source.max_bytes}) reached after ${bytes} bytes; the next poll resumes from the stored position` };
    }
    // commitState's keys, committed with the page once its events are delivered; asked before any id of the page counts as seen.
    const hookState = await hooks?.checkpoint({ events, hooked, position: hookView(), pagination: step.checkpoint });
    const collectedAt = new Date(clock.now()).toISOString();
    const endpoint = new URL(response.url || request.url).pathname;
    const newIds: string[] = [];
    // Per line, for the sink: where it ends in the page's bytes, its dedupe id, its time.
    const lineEnds: number[] = [];
    const ids: (string | undefined)[] = [];
    const times: (number | undefined)[] = [];
    lines.reset();
    let emitted = 0;
    let duplicates = 0;
    let newest: { text: string; ms: number } | undefined;
    let oversizedInPage: { count: number; longest: number } | undefined;
    // With a watermark the position of a finished poll is the watermark, not the last cursor.
    // Taken before the loop below, which lets go of each event once it is encoded.
    const watermarkKeys = watermark?.checkpoint(events, position, step.end === true);
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      // The page's parsed events are the bulk of what is alive when the young generation is
      // collected; released one by one, they die young instead of being copied and promoted.
      events[i] = undefined;
      let id: string | undefined;
      if (dedupe) {
        id = dedupe.idOf(event);
        if (id === undefined) {
          result.unkeyed++;
        } else if (dedupe.has(id) || commits.has(id)) {
          duplicates++;
          continue;
        } else {
          commits.add(id);
          newIds.push(id);
        }
      }
      const time = hooked?.times[i] ?? encoder.eventTime(event);
      const lineBytes = encoder.appendLine(lines, event, endpoint, collectedAt, time, hooked?.metas[i], source.max_line_bytes);
      if (source.max_line_bytes !== undefined && lineBytes > source.max_line_bytes) {
        const oversized = oversizedLine(lineBytes, source, () => encoder.truncated(event, endpoint, collectedAt, time, source.max_line_bytes!));
        if (oversized.error) {
          if (options.commit) await commitPending(false);
          throw oversized.error;
        }
        result.oversized++;
        oversizedInPage = { count: (oversizedInPage?.count ?? 0) + 1, longest: Math.max(oversizedInPage?.longest ?? 0, lineBytes) };
        if (oversized.line === undefined) continue;
        lines.append(oversized.line);
      }
      emitted++;
      const ms = time === undefined ? NaN : timeMs(time);
      lineEnds.push(lines.byteLength);
      ids.push(id);
      times.push(Number.isNaN(ms) ? undefined : ms);
      if (time !== undefined && !Number.isNaN(ms) && (newest === undefined || ms > newest.ms)) newest = { text: time, ms };
    }

    if (oversizedInPage) {
      // One warning per page, not per event: a feed of oversized events must not flood the log.
      const what = source.max_line_bytes_behavior === 'skip' ? 'dropped (max_line_bytes_behavior: skip)' : 'truncated (max_line_bytes_behavior: truncate)';
      deps.events.emit('poll.warning', {
        source: source.name,
        message: `page ${index}: ${oversizedInPage.count} event line(s) over max_line_bytes (${source.max_line_bytes}), the longest ${oversizedInPage.longest} bytes: ${what}`,
        fields: { page: index },
      });
    }
    const checkpoint: Record<string, string | null> = { ...step.checkpoint, ...hookState };
    if (watermarkKeys) {
      if (step.end) for (const key of paginator.stateKeys) checkpoint[key] = null;
      Object.assign(checkpoint, watermarkKeys);
    }
    if (newest && (position.last_event_time === undefined || newest.ms > Date.parse(position.last_event_time))) {
      checkpoint.last_event_time = newest.text;
    }
    if (!step.next) checkpoint.last_success_at = new Date(clock.now()).toISOString();

    // Everything needed after the awaits below is taken now, so the page's parsed events and
    // body are garbage before the fsync and can die young instead of being promoted.
    const page: Omit<PageReport, 'durationMs'> = {
      index,
      status: response.status,
      events: events.length,
      emitted,
      duplicates,
      rateLimitHeaders: Object.fromEntries(Object.entries(response.headers).filter(([k]) => RATE_HEADER.test(k))),
      newestEventTime: newest?.text,
    };
    if (step.next && pageDelayMs === 0) {
      prefetched = send(step.next, index + 1, paginator.stateKeys.length > 0);
      // Awaited on the next turn; until then a rejection must not count as unhandled.
      prefetched.catch(() => undefined);
    }
    try {
      // In a fleet: a paused instance whose lease may have passed to another writes nothing.
      if (lines.byteLength > 0) state.beforeWrite();
      if (lines.byteLength > 0) await sink.write({ source: source.name, bytes: lines.bytes(), lineEnds, ids, times }, options.signal);
    } catch (err) {
      inFlight.abort();
      throw err;
    }
    commits.written({ keys: checkpoint, emitted, ids: newIds });
    for (const [k, v] of Object.entries(checkpoint)) {
      if (v === null) delete position[k];
      else position[k] = v;
    }
    if (options.commit && (perPage || !step.next)) await commitPending(!step.next);

    result.pages = index;
    result.events += page.events;
    result.emitted += emitted;
    result.duplicates += duplicates;
    deps.events.emit('poll.page', { source: source.name, page: { ...page, durationMs: clock.now() - started } });
    result.stop = step.stop ?? '';
    request = step.next;
    resumed = false;
  }
  await commits.end();
  return result;
}

/** A body that could not be read as events, with on_parse_error: skip. */
function skipsParseError(source: ResolvedSource, err: unknown): boolean {
  return source.on_parse_error === 'skip' && isHelError(err) && err.code === 'HEL_RESPONSE_PARSE';
}

/** on_parse_error: skip ends the poll at the unreadable page, which stays uncommitted: the next poll asks for it again. */
function parseErrorSkipped(err: unknown, deps: PollDeps): string {
  const message = `on_parse_error: skip: ${describeError(err)}; the poll ends here and the page is asked for again next poll`;
  deps.events.emit('poll.warning', { source: deps.source.name, message, fields: errorLogFields(err) });
  return message;
}

/** What max_line_bytes_behavior does with a line over max_line_bytes: an error, a replacement line (truncate), or no line (skip). */
function oversizedLine(bytes: number, source: ResolvedSource, truncate: () => string | undefined): { error: HelError; line?: undefined } | { error?: undefined; line: string | undefined } {
  const max = source.max_line_bytes!;
  const behavior = source.max_line_bytes_behavior ?? 'fail';
  if (behavior === 'skip') return { line: undefined };
  const cut = behavior === 'truncate' ? truncate() : undefined;
  if (cut !== undefined) return { line: cut };
  return {
    error: new HelError('HEL_LINE_TOO_LARGE', `an event's line is ${bytes} bytes, over max_line_bytes (${max}); nothing of its page was written`, {
      source: source.name,
      hint:
        behavior === 'truncate'
          ? 'the output format cannot hold a truncated event (ocsf, ecs), or max_line_bytes is too small for the envelope; raise max_line_bytes'
          : 'raise max_line_bytes, or set max_line_bytes_behavior: truncate or skip',
    }),
  };
}

function staleCursorError(err: HelError, source: ResolvedSource): HelError {
  return new HelError(
    'HEL_HTTP_STATUS',
    `the server rejected the stored position (${err.message}); the stored cursor was kept`,
    {
      ...err.context,
      hint: `set on_cursor_error: reset to restart from the last event time (dedupe drops repeats), or clear it with: hel state reset ${source.name}`,
    },
    { cause: err },
  );
}
