import type { ResolvedSource } from '../config/load.js';
import type { Clock } from '../clock.js';
import { isCancellation, isHelError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { DedupeWindow } from '../pipeline/dedupe.js';
import { LineEncoder } from '../pipeline/envelope.js';
import { CircuitBreaker, type CircuitBreakerSnapshot } from '../resilience/circuit-breaker.js';
import { paginatorFor } from '../source/pagination/index.js';
import type { Paginator } from '../source/pagination/paginator.js';
import { redactUrl } from '../source/redact-url.js';
import type { HttpTransport } from '../source/transport.js';
import type { Sink } from '../sink/sink.js';
import type { StateStore } from '../state/store.js';
import { pollSource, type PageReport, type PollResult } from './poll.js';
import { HourCounter, type SourceStatus } from './status.js';

/** Observes the engine for metrics and the status page; every member is optional. */
export interface EngineObserver {
  onPage?(source: string, page: PageReport): void;
  onPollEnd?(source: string, outcome: { result?: PollResult; error?: unknown; durationMs: number }): void;
  onPollSkipped?(source: string): void;
  onBreakerChange?(source: string, state: string): void;
  onStateWrite?(source: string, durationMs: number): void;
}

export interface SourceRuntimeDeps {
  source: ResolvedSource;
  transport: HttpTransport;
  sink: Sink;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  format: 'envelope' | 'raw';
  observer?: EngineObserver;
}

export type PollOutcome = { ok: true; result: PollResult } | { ok: false; error: unknown } | { ok: false; skipped: true; reason: string };

/** One source's live parts: paginator, dedupe window, breaker, committed keys and status. */
export class SourceRuntime {
  readonly source: ResolvedSource;
  readonly paginator: Paginator;
  readonly encoder: LineEncoder;
  readonly log: Logger;
  dedupe: DedupeWindow | undefined;
  breaker!: CircuitBreaker;
  keys: Record<string, string> = {};
  readonly status: SourceStatus;
  private readonly hour = new HourCounter();
  private inFlight: Promise<PollOutcome> | undefined;
  private loggedProblem: string | undefined;
  private skipLogged = false;

  constructor(private readonly deps: SourceRuntimeDeps) {
    const s = deps.source;
    this.source = s;
    this.paginator = paginatorFor(s);
    this.encoder = new LineEncoder({ format: deps.format, labelKey: s.labelKey, labelValue: s.labelValue, timestampPath: s.timestamp_path, meta: s.envelopeMeta });
    this.log = deps.logger.child({ source: s.name });
    this.status = {
      name: s.name, label: s.labelValue, url: redactUrl(s.url), health: 'pending', polling: false, circuit: 'closed',
      consecutiveFailures: 0, eventsTotal: 0, eventsLastHour: 0, duplicatesTotal: 0, pollsTotal: 0, pollsSkipped: 0,
      ...(s.no_events_alert_hours === undefined ? {} : { noEventsAlertHours: s.no_events_alert_hours }),
    };
  }

  /** Loads committed state: position, dedupe window, breaker, last error. */
  async init(): Promise<void> {
    const snapshot = await this.deps.store.load(this.source.name);
    this.keys = snapshot.keys;
    if (this.source.dedupe) this.dedupe = new DedupeWindow(this.source.dedupe.id_path, this.source.dedupe.capacity, snapshot.dedupeIds);
    const saved = this.keys.breaker ? (JSON.parse(this.keys.breaker) as CircuitBreakerSnapshot) : undefined;
    this.breaker = new CircuitBreaker(this.source.resilience.circuit_breaker, {
      clock: this.deps.clock,
      initial: saved,
      onStateChange: (change) => {
        this.status.circuit = change.to;
        this.deps.observer?.onBreakerChange?.(this.source.name, change.to);
        const line = `circuit ${change.from} -> ${change.to}`;
        if (change.to === 'open') this.log.error({ circuit: change.to, failures: change.failures }, `${line} after ${change.failures} failed polls; polls are skipped for ${this.source.resilience.circuit_breaker.half_open_timeout_secs}s`);
        else this.log.warn({ circuit: change.to }, line);
      },
    });
    this.status.circuit = this.breaker.state;
    this.status.eventsTotal = Number(this.keys.events_total ?? 0);
    this.status.lastSuccessAt = this.keys.last_success_at;
    this.status.lastError = this.keys.last_error;
    this.status.lastErrorAt = this.keys.last_error_at;
    this.status.lastEventTime = this.keys.last_event_time;
    this.status.dedupeWindow = this.dedupe?.size;
    this.refreshHealth();
  }

  /** One poll, unless one is already running (then its outcome) or the breaker is open. */
  poll(signal: AbortSignal, commit = true, onPage?: (p: PageReport) => void): Promise<PollOutcome> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.runPoll(signal, commit, onPage).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runPoll(signal: AbortSignal, commit: boolean, onPage?: (p: PageReport) => void): Promise<PollOutcome> {
    const clock = this.deps.clock;
    if (!this.breaker.allowPoll()) {
      this.status.pollsSkipped++;
      this.deps.observer?.onPollSkipped?.(this.source.name);
      const reason = `circuit open; next trial poll in ${Math.ceil(this.breaker.msUntilTrial() / 1000)}s`;
      if (!this.skipLogged) this.log.warn({ circuit: 'open' }, `poll skipped: ${reason}`);
      this.skipLogged = true;
      return { ok: false, skipped: true, reason };
    }
    this.skipLogged = false;
    const started = clock.now();
    const breakerBefore = JSON.stringify(this.breaker.toJSON());
    this.status.polling = true;
    this.status.lastPollAt = new Date(started).toISOString();
    try {
      const result = await pollSource(
        { ...this.deps, paginator: this.paginator, encoder: this.encoder, dedupe: this.dedupe, keys: this.keys },
        {
          signal,
          commit,
          onPage: (page) => {
            this.hour.add(page.emitted, clock.now());
            this.status.eventsTotal += page.emitted;
            this.status.duplicatesTotal += page.duplicates;
            // A late page (item usage synced a day late) must not move the newest time back.
            if (page.newestEventTime && !(Date.parse(page.newestEventTime) <= Date.parse(this.status.lastEventTime ?? ''))) this.status.lastEventTime = page.newestEventTime;
            this.deps.observer?.onPage?.(this.source.name, page);
            onPage?.(page);
          },
          onCommit: (ms) => this.deps.observer?.onStateWrite?.(this.source.name, ms),
          onCursorReset: ({ from }) => this.log.warn({ from }, `the stored cursor was rejected (400); restarting from ${from ?? 'the configured first request'} with on_cursor_error: reset`),
        },
      );
      this.breaker.recordSuccess();
      this.status.pollsTotal++;
      this.status.consecutiveFailures = 0;
      this.status.lastSuccessAt = new Date(clock.now()).toISOString();
      if (this.loggedProblem !== undefined) this.log.info('recovered: poll succeeded');
      this.loggedProblem = undefined;
      this.status.lastError = undefined;
      this.log.info({ pages: result.pages, events: result.events, emitted: result.emitted, duplicates: result.duplicates, stop: result.stop, ms: clock.now() - started }, 'poll done');
      this.deps.observer?.onPollEnd?.(this.source.name, { result, durationMs: clock.now() - started });
      if (commit) await this.saveKeys({ last_error: null, last_error_at: null }, breakerBefore);
      return { ok: true, result };
    } catch (error) {
      if (isCancellation(error)) return { ok: false, error };
      // A broken output or state store stops the whole collector: polling on would only fail again.
      if (isHelError(error) && (error.code === 'HEL_OUTPUT' || error.code === 'HEL_STATE')) throw error;
      this.breaker.recordFailure();
      this.status.pollsTotal++;
      this.status.consecutiveFailures++;
      const message = describeError(error);
      this.status.lastError = message;
      this.status.lastErrorCode = isHelError(error) ? error.code : 'HEL_UNEXPECTED';
      this.status.lastErrorAt = new Date(clock.now()).toISOString();
      const problem = `${this.status.lastErrorCode}:${isHelError(error) ? (error.context.status ?? '') : ''}`;
      if (problem !== this.loggedProblem) this.log.error({ code: this.status.lastErrorCode, attempt: isHelError(error) ? error.context.attempt : undefined }, `poll failed: ${message}`);
      else this.log.debug({ code: this.status.lastErrorCode }, `poll failed again: ${message}`);
      this.loggedProblem = problem;
      this.deps.observer?.onPollEnd?.(this.source.name, { error, durationMs: clock.now() - started });
      if (commit) await this.saveKeys({ last_error: message, last_error_at: this.status.lastErrorAt }, breakerBefore).catch(() => undefined);
      return { ok: false, error };
    } finally {
      this.status.polling = false;
      this.status.dedupeWindow = this.dedupe?.size;
      this.refreshHealth();
    }
  }

  private async saveKeys(keys: Record<string, string | null>, breakerBefore: string): Promise<void> {
    const breakerNow = JSON.stringify(this.breaker.toJSON());
    const all = breakerNow === breakerBefore ? keys : { ...keys, breaker: breakerNow };
    const started = this.deps.clock.now();
    await this.deps.store.commit(this.source.name, { keys: all });
    this.deps.observer?.onStateWrite?.(this.source.name, this.deps.clock.now() - started);
    for (const [k, v] of Object.entries(all)) {
      if (v === null) delete this.keys[k];
      else this.keys[k] = v;
    }
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

/** One line for the user: the message, where it happened, and the fix. */
export function describeError(error: unknown): string {
  if (!isHelError(error)) return error instanceof Error ? error.message : String(error);
  const c = error.context;
  const where = [c.url, c.attempt !== undefined ? `attempt ${c.attempt}` : undefined].filter(Boolean).join(', ');
  return `${error.message}${where ? ` (${where})` : ''}${c.hint ? ` — ${c.hint}` : ''}`;
}
