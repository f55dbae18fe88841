import type { LoadedConfig, ResolvedSource } from '../config/load.js';
import type { Clock } from '../clock.js';
import { HelError, cancelled } from '../errors.js';
import { outputFormatOf } from '../config/output-format.js';
import type { Logger } from '../log/logger.js';
import type { HttpTransport } from '../http/transport.js';
import type { BatchSink } from '../sink/batch-sink.js';
import type { StateStore } from '../state/store.js';
import type { Fleet } from './fleet.js';
import type { PageReport } from './poll.js';
import { SourceRuntime, type EngineObserver, type PollOutcome } from './source-runtime.js';
import type { SourceStatus } from './status.js';
import type { PollHooks } from '../hooks/poll-hooks.js';

export interface RuntimeDeps {
  config: LoadedConfig;
  store: StateStore;
  sink: BatchSink;
  /** False for `hel test` without --commit: nothing is saved, not even what start-up reads back. */
  commit?: boolean;
  transportFor: (source: ResolvedSource) => HttpTransport;
  /** A source's JS hooks, when it has a script. */
  hooksFor?: (source: ResolvedSource) => PollHooks | undefined;
  clock: Clock;
  logger: Logger;
  observer?: EngineObserver;
  random?: () => number;
  /** A shared state backend: sources are polled under leases, a fair share per instance. */
  fleet?: Fleet;
}

export interface OnceReport {
  name: string;
  outcome: PollOutcome;
}

/** How many sources `run --once` polls at the same time; the shared budgets still apply. */
const ONCE_CONCURRENCY = 16;

/**
 * The collector: every source with its own loop (`runForever`) or one catch-up poll each
 * (`runOnce`). Sources are independent: a slow or failing one never delays another.
 */
export class Runtime {
  readonly startedAt: number;
  private readonly sources = new Map<string, SourceRuntime>();
  private readonly wakeups = new Map<string, () => void>();

  private constructor(private readonly deps: RuntimeDeps) {
    this.startedAt = deps.clock.now();
  }

  static async create(deps: RuntimeDeps, only?: string[]): Promise<Runtime> {
    const runtime = new Runtime(deps);
    const wanted = only && only.length > 0 ? new Set(only) : undefined;
    if (wanted) {
      const known = new Set(deps.config.sources.map((s) => s.name));
      for (const name of wanted) {
        if (!known.has(name)) {
          throw new HelError('HEL_USAGE', `no source named ${name}`, { hint: `sources in ${deps.config.path}: ${[...known].join(', ')}` });
        }
      }
    }
    for (const source of deps.config.sources) {
      if (wanted && !wanted.has(source.name)) continue;
      const sr = new SourceRuntime({
        source,
        transport: deps.transportFor(source),
        hooks: deps.hooksFor?.(source),
        sink: deps.sink,
        store: deps.fleet ? deps.fleet.storeFor(source.name) : deps.store,
        clock: deps.clock,
        logger: deps.logger,
        format: outputFormatOf(source, deps.config.global.output),
        rawData: deps.config.global.output.raw_data,
        observer: deps.observer,
        commit: deps.commit,
      });
      await sr.init(deps.fleet === undefined);
      runtime.sources.set(source.name, sr);
    }
    return runtime;
  }

  get sink(): BatchSink {
    return this.deps.sink;
  }

  get store(): StateStore {
    return this.deps.store;
  }

  statuses(): SourceStatus[] {
    return [...this.sources.values()].map((s) => {
      s.refreshHealth();
      const lease = this.deps.fleet?.lease(s.source.name);
      return lease ? { ...s.status, owner: lease.owner ?? undefined, leaseExpiresAt: lease.expiresAt === null ? undefined : new Date(lease.expiresAt).toISOString() } : { ...s.status };
    });
  }

  source(name: string): SourceRuntime | undefined {
    return this.sources.get(name);
  }

  /** Polls one source now (REST trigger, `hel test`); concurrent calls share the poll in flight. */
  async pollNow(name: string, signal: AbortSignal, options: { commit?: boolean; onPage?: (p: PageReport) => void } = {}): Promise<PollOutcome> {
    const sr = this.sources.get(name);
    if (!sr) throw new HelError('HEL_USAGE', `no source named ${name}`);
    const outcome = await this.leased(sr, signal, (s) => sr.poll(s, options.commit ?? true, options.onPage));
    this.wakeups.get(name)?.();
    return outcome;
  }

  /** With a fleet, `poll` runs only under the source's lease; a source another instance holds is skipped. */
  private async leased(sr: SourceRuntime, signal: AbortSignal, poll: (signal: AbortSignal) => Promise<PollOutcome>): Promise<PollOutcome> {
    const fleet = this.deps.fleet;
    if (fleet === undefined) return poll(signal);
    const done = await fleet.withLease(sr.source.name, signal, async (leased, acquired) => {
      // Another instance may have moved the cursor since this one last looked.
      if (acquired) await sr.init();
      return poll(leased);
    });
    if ('value' in done) return done.value;
    const until = done.heldBy.expiresAt === null ? '' : ` until ${new Date(done.heldBy.expiresAt).toISOString()}`;
    const owner = done.heldBy.owner ?? 'another instance';
    return { ok: false, skipped: true, reason: `leased by ${owner}${until}`, leasedBy: owner };
  }

  /** One catch-up poll of every source, a bounded number at a time. */
  async runOnce(signal: AbortSignal, onPage?: (source: string, page: PageReport) => void): Promise<OnceReport[]> {
    const queue = [...this.sources.values()];
    const reports: OnceReport[] = [];
    const worker = async (stop: AbortSignal): Promise<void> => {
      for (let sr = stop.aborted ? undefined : queue.shift(); sr; sr = stop.aborted ? undefined : queue.shift()) {
        const name = sr.source.name;
        const outcome = await this.leased(sr, stop, (s) => sr.poll(s, true, onPage && ((p) => onPage(name, p))));
        reports.push({ name, outcome });
      }
    };
    await allOrStop(signal, Array.from({ length: Math.min(ONCE_CONCURRENCY, queue.length) }, () => worker));
    // Sources a signal kept from starting are reported as stopped, like those it interrupted.
    for (const sr of queue) reports.push({ name: sr.source.name, outcome: { ok: false, error: cancelled(sr.source.name) } });
    const order = [...this.sources.keys()];
    return reports.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  }

  /** Each source on its own loop until `signal` aborts: poll, then wait interval ± jitter from the end of that poll. */
  async runForever(signal: AbortSignal): Promise<void> {
    const fleet = this.deps.fleet;
    if (fleet !== undefined) {
      await fleet.runForever(signal, [...this.sources.keys()], async (name, stop) => {
        const sr = this.sources.get(name)!;
        await sr.init();
        await this.loop(sr, stop);
      });
      return;
    }
    await allOrStop(signal, [...this.sources.values()].map((sr) => (stop: AbortSignal) => this.loop(sr, stop)));
  }

  private async loop(sr: SourceRuntime, signal: AbortSignal): Promise<void> {
    const random = this.deps.random ?? Math.random;
    const { interval_secs: interval, jitter_secs: jitter } = sr.source.schedule;
    while (!signal.aborted) {
      sr.status.nextPollAt = undefined;
      await sr.poll(signal);
      // A poll triggered through the API restarts the wait, so polls never run back to back.
      let woken = true;
      while (woken && !signal.aborted) {
        let delayMs = Math.max(0, (interval + (random() * 2 - 1) * jitter) * 1000);
        if (sr.breaker.state === 'open') delayMs = Math.max(sr.breaker.msUntilTrial(), 1000);
        sr.status.nextPollAt = new Date(this.deps.clock.now() + delayMs).toISOString();
        woken = await this.sleepUntilWoken(sr.source.name, delayMs, signal);
      }
    }
  }

  /** Sleeps `ms`; returns true when a triggered poll woke it early. */
  private async sleepUntilWoken(name: string, ms: number, signal: AbortSignal): Promise<boolean> {
    const wake = new AbortController();
    this.wakeups.set(name, () => wake.abort());
    try {
      await this.deps.clock.sleep(ms, AbortSignal.any([signal, wake.signal]));
      return false;
    } catch {
      return wake.signal.aborted && !signal.aborted;
    } finally {
      this.wakeups.delete(name);
    }
  }
}

/**
 * Runs every task with a signal that also aborts when any task fails (a broken output or state
 * store), then rethrows that failure once all have stopped. Without this the other sources kept
 * polling into a closed sink and store, and a continuous run idled on their sleeps instead of exiting.
 */
async function allOrStop(signal: AbortSignal, tasks: ((stop: AbortSignal) => Promise<void>)[]): Promise<void> {
  const failed = new AbortController();
  const stop = AbortSignal.any([signal, failed.signal]);
  let first: { error: unknown } | undefined;
  await Promise.all(
    tasks.map((task) =>
      task(stop).catch((error: unknown) => {
        first ??= { error };
        failed.abort();
      }),
    ),
  );
  if (first) throw first.error;
}
