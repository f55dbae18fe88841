import type { Bus } from '../bus/event-bus.js';
import type { ResolvedSource } from '../config/resolved.js';
import type { Clock } from '../clock.js';
import { HelError, isCancellation, isHelError } from '../errors.js';
import { codeOf, describeError, errorLogFields } from '../errors/format.js';
import type { Logger } from '../log/logger.js';
import { encoderOptions } from '../integrations/mapper-lookup.js';
import { LineEncoder } from '../pipeline/envelope.js';
import type { OutputFormat } from '../pipeline/mappings.js';
import { CircuitBreaker, type BreakerState } from '../resilience/circuit-breaker.js';
import { paginatorFor } from '../http/pagination/index.js';
import type { Paginator } from '../http/pagination/paginator.js';
import { redactUrl } from '../http/redact-url.js';
import type { HttpTransport } from '../http/transport.js';
import type { BatchSink } from '../sink/batch-sink.js';
import type { StateStore } from '../state/store.js';
import { pollSource, type PageReport, type PollEventMap, type PollResult } from './poll.js';
import { OUTPUT_POSITION } from './poll-commits.js';
import { isStateWriteFailure } from './state-write-failure.js';
import { HourCounter, type SourceStatus } from './status.js';
import { SourceState, type StateChange } from './source-state.js';
import type { PollHooks } from '../hooks/poll-hooks.js';

/** What a source reports on the runtime's event bus (src/bus), besides its polls' events. */
export interface SourceEventMap {
  /** A poll ended: `result` when it succeeded, `error` when it failed (not when a signal stopped it). */
  'poll.end': { source: string; result?: PollResult; error?: unknown; durationMs: number };
  /** A scheduled poll did not run: the circuit is open, or load shedding skipped it. */
  'poll.skipped': { source: string };
  /** The circuit breaker changed state after `failures` consecutive failed polls; while open, polls are skipped for `openMs`. */
  'breaker.change': { source: string; from: BreakerState; to: BreakerState; failures: number; openMs: number };
}

export type SourceRuntimeEventMap = PollEventMap & SourceEventMap;

export interface SourceRuntimeDeps {
  source: ResolvedSource;
  transport: HttpTransport;
  sink: BatchSink;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  /** The source's output format (its own, else global.output.format). */
  format: OutputFormat;
  /** ocsf / ecs: keep the vendor's event in the mapped line (global.output.raw_data). */
  rawData?: boolean;
  /** False for `hel test` without --commit: what `init` reads back is not saved. Default true. */
  commit?: boolean;
  /** The runtime's event bus: the source reports there, and counts its pages for its status from there. */
  events: Bus<SourceRuntimeEventMap>;
  /** The source's JS hooks, when it has a script (src/hooks). */
  hooks?: PollHooks;
}

export type PollOutcome =
  | { ok: true; result: PollResult }
  | { ok: false; error: unknown }
  /** Not polled: the open breaker refused (`error` is HEL_CIRCUIT_OPEN, `reason` its line), or another fleet instance holds the source. */
  | { ok: false; skipped: true; reason: string; error: HelError }
  | { ok: false; skipped: true; reason: string; leasedBy: string };

/** One source's live parts: paginator, breaker, committed state (with the dedupe window) and status. */
export class SourceRuntime {
  readonly source: ResolvedSource;
  readonly paginator: Paginator;
  readonly encoder: LineEncoder;
  readonly log: Logger;
  private live: { state: SourceState; breaker: CircuitBreaker } | undefined;
  readonly status: SourceStatus;
  private readonly hour = new HourCounter();
  private inFlight: Promise<PollOutcome> | undefined;
  private loggedProblem: string | undefined;
  private skipLogged = false;

  constructor(private readonly deps: SourceRuntimeDeps) {
    const s = deps.source;
    this.source = s;
    this.paginator = paginatorFor(s);
    this.encoder = new LineEncoder(encoderOptions(s, deps.format, deps.rawData ?? false));
    this.log = deps.logger.child({ source: s.name });
    this.status = {
      name: s.name,
      label: s.labelValue,
      url: redactUrl(s.url),
      health: 'pending',
      polling: false,
      circuit: 'closed',
      consecutiveFailures: 0,
      eventsTotal: 0,
      eventsLastHour: 0,
      duplicatesTotal: 0,
      pollsTotal: 0,
      pollsSkipped: 0,
      ...(s.no_events_alert_hours === undefined ? {} : { noEventsAlertHours: s.no_events_alert_hours }),
    };
  }

  /**
   * Loads committed state: position, dedupe window, breaker, last error. `recover` reads back the
   * output after the last mark, which commits: in a fleet only once the source's lease is held.
   */
  async init(recover = true, options: { freshBreaker?: boolean } = {}): Promise<void> {
    const state = await SourceState.load(this.deps.store, this.source.name, this.source.dedupe);
    // reload.restart_sources_on_sighup: the source starts again with a closed breaker.
    if (options.freshBreaker && state.breaker !== undefined && this.deps.commit !== false) await state.commit({ breaker: null });
    const mark = state.keys[OUTPUT_POSITION];
    if (recover && mark !== undefined) await this.readBackOutput(state, mark);
    const breaker = new CircuitBreaker(this.source.resilience.circuit_breaker, {
      clock: this.deps.clock,
      initial: state.breaker,
      onStateChange: (change) => {
        this.status.circuit = change.to;
        this.deps.events.emit('breaker.change', { source: this.source.name, ...change, openMs: breaker.openMs });
      },
    });
    this.live = { state, breaker };
    this.status.circuit = breaker.state;
    this.status.eventsTotal = state.eventsTotal;
    this.status.lastSuccessAt = state.keys.last_success_at;
    this.status.lastError = state.keys.last_error;
    this.status.lastErrorAt = state.keys.last_error_at;
    this.status.lastEventTime = state.keys.last_event_time;
    this.status.dedupeWindow = state.dedupe?.size;
    this.refreshHealth();
  }

  /** The committed state; it changes only through its own commit. */
  get state(): SourceState {
    return this.initialised().state;
  }

  get breaker(): CircuitBreaker {
    return this.initialised().breaker;
  }

  private initialised(): { state: SourceState; breaker: CircuitBreaker } {
    if (this.live === undefined) throw new Error(`source ${this.source.name} used before init()`);
    return this.live;
  }

  /**
   * The last holder of the source stopped during a poll (a crash, or in a fleet an instance killed
   * or a source handed over): its page in flight may be in its output without its checkpoint. The
   * lines written after the checkpoint's output mark are read back — from this instance's output,
   * or from the previous holder's file when the mark names another one on this host — and the ids
   * of this source's events among them join the window and are saved with the new mark, so the page
   * fetched again is dropped as duplicates instead of written twice.
   */
  private async readBackOutput(state: SourceState, mark: string): Promise<void> {
    const sink = this.deps.sink;
    const dedupe = state.dedupe;
    if (!sink.readBack || !dedupe) return;
    const recovered = new Set<string>();
    const result = await sink.readBack(
      mark,
      (line) => {
        const event = this.encoder.eventOf(line);
        const id = event === undefined ? undefined : dedupe.idOf(event);
        if (id !== undefined && !dedupe.has(id)) recovered.add(id);
      },
      new AbortController().signal,
    );
    if ('unreadable' in result) {
      this.log.warn({ mark }, `cannot read back the output written after the last checkpoint: ${result.unreadable}; the page in flight when it stopped, if any, may be written again`);
    } else if (recovered.size > 0) {
      this.log.info({ events: recovered.size, file: result.file }, `read back ${recovered.size} events written to ${result.file} after the last checkpoint: they will not be written again`);
    }
    const change: StateChange = { keys: { [OUTPUT_POSITION]: 'end' in result ? result.end : null }, dedupeIds: [...recovered] };
    // hel test without --commit: the ids still keep this run from writing those events again.
    if (this.deps.commit === false) state.apply({ dedupeIds: change.dedupeIds });
    else await state.commit(change);
  }

  /** A scheduled poll load shedding skipped: counted and shown like a poll the breaker skipped, logged once per run of skips. */
  skipShed(reason: string): void {
    this.status.pollsSkipped++;
    this.deps.events.emit('poll.skipped', { source: this.source.name });
    if (!this.skipLogged) this.log.warn({ priority: this.source.priority }, `poll skipped: ${reason}`);
    this.skipLogged = true;
  }

  /** One poll, unless one is already running (then its outcome) or the breaker is open. */
  poll(signal: AbortSignal, commit = true): Promise<PollOutcome> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.runPoll(signal, commit).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runPoll(signal: AbortSignal, commit: boolean): Promise<PollOutcome> {
    const clock = this.deps.clock;
    if (!this.breaker.allowPoll()) {
      this.status.pollsSkipped++;
      this.deps.events.emit('poll.skipped', { source: this.source.name });
      const error = this.breaker.refusal(this.source.name);
      const reason = describeError(error);
      if (!this.skipLogged) this.log.warn({ ...errorLogFields(error), circuit: 'open' }, `poll skipped: ${reason}`);
      this.skipLogged = true;
      return { ok: false, skipped: true, reason, error };
    }
    this.skipLogged = false;
    const started = clock.now();
    const breakerBefore = JSON.stringify(this.breaker.toJSON());
    // A successful poll ends with no last error, no output mark (every page it wrote is committed)
    // and the breaker as the success leaves it: saved with the poll's last page.
    const finish = (): StateChange => {
      const breaker = this.breaker.afterSuccess();
      return { keys: { last_error: null, last_error_at: null, [OUTPUT_POSITION]: null }, ...(JSON.stringify(breaker) === breakerBefore ? {} : { breaker }) };
    };
    this.status.polling = true;
    this.status.lastPollAt = new Date(started).toISOString();
    const tickSecs = this.source.resilience.timeouts?.poll_tick_secs;
    const deadline = tickSecs === undefined ? undefined : AbortSignal.timeout(tickSecs * 1000);
    // This poll's pages, as the bus reports them, count in the source's status.
    const stopCounting = this.deps.events.on('poll.page', ({ source, page }) => {
      if (source === this.source.name) this.countPage(page);
    });
    try {
      const result = await pollSource({ ...this.deps, paginator: this.paginator, encoder: this.encoder, state: this.state }, { signal, commit, deadline, finish });
      this.breaker.recordSuccess();
      this.status.pollsTotal++;
      this.status.consecutiveFailures = 0;
      this.status.lastSuccessAt = new Date(clock.now()).toISOString();
      if (this.loggedProblem !== undefined) this.log.info('recovered: poll succeeded');
      this.loggedProblem = undefined;
      this.status.lastError = undefined;
      this.log.info({ pages: result.pages, events: result.events, emitted: result.emitted, duplicates: result.duplicates, stop: result.stop, ms: clock.now() - started }, 'poll done');
      this.deps.events.emit('poll.end', { source: this.source.name, result, durationMs: clock.now() - started });
      return { ok: true, result };
    } catch (caught) {
      const error = deadline?.aborted === true && !signal.aborted && isCancellation(caught) ? pollTickExceeded(this.source.name, tickSecs!) : caught;
      if (isCancellation(error)) return { ok: false, error };
      // Another instance holds the source now: the fleet has already stopped this one's work on it.
      if (isHelError(error) && error.code === 'HEL_LEASE_LOST') return { ok: false, error };
      // A broken output or state store stops the whole collector: polling on would only fail again.
      if (isHelError(error) && (error.code === 'HEL_OUTPUT' || error.code === 'HEL_STATE')) throw error;
      this.breaker.recordFailure();
      this.status.pollsTotal++;
      this.status.consecutiveFailures++;
      const message = describeError(error);
      this.status.lastError = message;
      this.status.lastErrorCode = codeOf(error);
      this.status.lastErrorAt = new Date(clock.now()).toISOString();
      const problem = `${this.status.lastErrorCode}:${isHelError(error) ? (error.context.status ?? '') : ''}`;
      if (problem !== this.loggedProblem) this.log.error(errorLogFields(error), `poll failed: ${message}`);
      else this.log.debug({ code: this.status.lastErrorCode }, `poll failed again: ${message}`);
      this.loggedProblem = problem;
      this.deps.events.emit('poll.end', { source: this.source.name, error, durationMs: clock.now() - started });
      // A page that failed to be written or committed stopped the collector above (HEL_OUTPUT,
      // HEL_STATE), so every page this poll wrote is committed and the output mark can go.
      if (commit) await this.saveFailure({ last_error: message, last_error_at: this.status.lastErrorAt, [OUTPUT_POSITION]: null }, breakerBefore).catch(() => undefined);
      return { ok: false, error };
    } finally {
      stopCounting();
      this.status.polling = false;
      this.status.dedupeWindow = this.state.dedupe?.size;
      this.refreshHealth();
    }
  }

  /** A failed poll's status keys and breaker, in a commit of their own (no page carries them). */
  private async saveFailure(keys: Record<string, string | null>, breakerBefore: string): Promise<void> {
    const breaker = this.breaker.toJSON();
    const change: StateChange = JSON.stringify(breaker) === breakerBefore ? { keys } : { keys, breaker };
    const started = this.deps.clock.now();
    try {
      await this.state.commit(change);
    } catch (err) {
      // Status keys only: with skip_checkpoint a failed write of them must not stop the source either.
      if (this.source.on_state_write_error !== 'skip_checkpoint' || !isStateWriteFailure(err)) throw err;
      this.log.warn(errorLogFields(err), `status not saved (on_state_write_error: skip_checkpoint): ${describeError(err)}`);
      this.state.apply(change);
    }
    this.deps.events.emit('state.write', { source: this.source.name, durationMs: this.deps.clock.now() - started });
  }

  private countPage(page: PageReport): void {
    this.hour.add(page.emitted, this.deps.clock.now());
    this.status.eventsTotal += page.emitted;
    this.status.duplicatesTotal += page.duplicates;
    // A late page (item usage synced a day late) must not move the newest time back.
    if (page.newestEventTime && !(Date.parse(page.newestEventTime) <= Date.parse(this.status.lastEventTime ?? ''))) this.status.lastEventTime = page.newestEventTime;
  }

  refreshHealth(): void {
    const s = this.status;
    s.circuit = this.breaker.state;
    s.eventsLastHour = this.hour.total(this.deps.clock.now());
    if (s.circuit === 'open') s.health = 'circuit-open';
    else if (s.consecutiveFailures >= 2 || (s.lastError && !s.lastSuccessAt)) s.health = 'failing';
    else if (s.lastError) s.health = 'degraded';
    else if (s.lastSuccessAt) s.health = 'ok';
    else s.health = 'pending';
  }
}

function pollTickExceeded(source: string, secs: number): HelError {
  return new HelError('HEL_TIMEOUT', `the poll took longer than timeouts.poll_tick_secs (${secs} s); the pages read before were committed`, {
    source,
    hint: 'the next poll resumes from the stored position; raise resilience.timeouts.poll_tick_secs, or lower max_pages',
  });
}
