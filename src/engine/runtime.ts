import type { Bus } from '../bus/event-bus.js';
import type { LoadedConfig } from '../config/load.js';
import type { ResolvedSource } from '../config/resolved.js';
import type { Clock } from '../clock.js';
import { HelError, cancelled, isCancellation } from '../errors.js';
import { outputFormatOf } from '../config/output-format.js';
import type { Logger } from '../log/logger.js';
import type { HttpTransport } from '../http/transport.js';
import type { BatchSink } from '../sink/batch-sink.js';
import type { StateStore } from '../state/store.js';
import type { Fleet } from './fleet.js';
import { SourceRuntime, type PollOutcome, type SourceRuntimeEventMap } from './source-runtime.js';
import type { SourceStatus } from './status.js';
import { Bulkhead } from '../resilience/bulkhead.js';
import { CheckpointSkippingStore, type CheckpointSkipEventMap } from './skip-checkpoint.js';
import { Degradation } from './degradation.js';
import { LoadShedder } from './load-shedding.js';
import { planReload, planSummary, type ReloadPlan } from './reload-plan.js';
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
  /** Whether a source's hook script changed on disk since its hooks were built (a reload rebuilds it). */
  hookScriptChanged?: (source: ResolvedSource) => boolean;
  /** Stops a removed source's hook sandbox. */
  retireHooks?: (name: string) => Promise<void>;
  clock: Clock;
  logger: Logger;
  /** The runtime's own event bus (src/bus): its sources report there; metrics, logs and progress subscribe. */
  events: Bus<RuntimeEventMap>;
  random?: () => number;
  /** A shared state backend: sources are polled under leases, a fair share per instance. */
  fleet?: Fleet;
  /** global.degradation at run time (the state store fallback is decided when the store opens). */
  degradation?: Degradation;
}

export type RuntimeEventMap = SourceRuntimeEventMap & CheckpointSkipEventMap;

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
  readonly degradation: Degradation;
  private readonly sources = new Map<string, SourceRuntime>();
  private readonly wakeups = new Map<string, () => void>();
  /** global.bulkhead.max_concurrent_sources: polls in progress at once. */
  private readonly sourceSlots: Bulkhead | undefined;
  private readonly shedder: LoadShedder;
  /** The `--source` filter of the command, kept for reloads. */
  private wanted: Set<string> | undefined;
  /** `runForever`'s loops, one per source, and what stops them all. */
  private readonly loops = new Map<string, { retire: AbortController; done: Promise<void> }>();
  private loopStop: AbortSignal | undefined;
  private loopFailed: ((error: unknown) => void) | undefined;
  private reloading: Promise<unknown> = Promise.resolve();
  /** With a fleet: `runForever` shares the sources out (a reload goes through `Fleet.retarget`). */
  private fleetRunning = false;
  /** With a fleet: sources a reload restarted, whose breaker is cleared when this instance next acquires them. */
  private readonly freshBreakers = new Set<string>();

  private constructor(private readonly deps: RuntimeDeps) {
    this.startedAt = deps.clock.now();
    this.degradation = deps.degradation ?? new Degradation(deps.config.global.degradation);
    const maxSources = deps.config.global.bulkhead.max_concurrent_sources;
    this.sourceSlots = maxSources === undefined ? undefined : new Bulkhead(maxSources);
    this.shedder = new LoadShedder(deps.sink, deps.logger);
  }

  /** The config the collector runs, the last one a reload applied. */
  get config(): LoadedConfig {
    return this.deps.config;
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
    runtime.wanted = wanted;
    for (const source of deps.config.sources) {
      if (wanted && !wanted.has(source.name)) continue;
      runtime.sources.set(source.name, await runtime.build(source));
    }
    return runtime;
  }

  /** A source's live parts, its committed state loaded (cursor, dedupe window, breaker). */
  private async build(source: ResolvedSource, options: { freshBreaker?: boolean } = {}): Promise<SourceRuntime> {
    const deps = this.deps;
    const base = deps.fleet ? deps.fleet.storeFor(source.name) : deps.store;
    const store = deps.config.global.degradation.emit_without_checkpoint ? new CheckpointSkippingStore(base, this.degradation, deps.logger, deps.events) : base;
    const sr = new SourceRuntime({
      source,
      transport: deps.transportFor(source),
      hooks: deps.hooksFor?.(source),
      sink: deps.sink,
      store,
      clock: deps.clock,
      logger: deps.logger,
      format: outputFormatOf(source, deps.config.global.output),
      rawData: deps.config.global.output.raw_data,
      events: deps.events,
      commit: deps.commit,
    });
    await sr.init(deps.fleet === undefined, options);
    return sr;
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
  async pollNow(name: string, signal: AbortSignal, options: { commit?: boolean } = {}): Promise<PollOutcome> {
    const sr = this.sources.get(name);
    if (!sr) throw new HelError('HEL_USAGE', `no source named ${name}`);
    const outcome = (await this.slot(signal, () => this.leased(sr, signal, (s) => sr.poll(s, options.commit ?? true))).catch((error: unknown) => {
      // A broken output or state store stops the collector, as when a scheduled poll meets it.
      this.loopFailed?.(error);
      throw error;
    })) ?? { ok: false, error: cancelled(name) };
    this.wakeups.get(name)?.();
    return outcome;
  }

  /**
   * Runs a poll in a slot of global.bulkhead.max_concurrent_sources, when set. A stop while
   * waiting for the slot resolves with undefined: that poll never started.
   */
  private async slot<T>(signal: AbortSignal, poll: () => Promise<T>): Promise<T | undefined> {
    if (!this.sourceSlots) return poll();
    let started = false;
    try {
      return await this.sourceSlots.run(() => {
        started = true;
        return poll();
      }, signal);
    } catch (err) {
      if (!started && isCancellation(err)) return undefined;
      throw err;
    }
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
  async runOnce(signal: AbortSignal): Promise<OnceReport[]> {
    const queue = [...this.sources.values()];
    const reports: OnceReport[] = [];
    const worker = async (stop: AbortSignal): Promise<void> => {
      for (let sr = stop.aborted ? undefined : queue.shift(); sr; sr = stop.aborted ? undefined : queue.shift()) {
        const name = sr.source.name;
        const outcome = await this.slot(stop, () => this.leased(sr, stop, (s) => sr.poll(s, true)));
        // Stopped while waiting for a slot: reported below with the sources that never started.
        if (outcome === undefined) queue.unshift(sr);
        else reports.push({ name, outcome });
      }
    };
    await allOrStop(
      signal,
      Array.from({ length: Math.min(ONCE_CONCURRENCY, queue.length) }, () => worker),
    );
    // Sources a signal kept from starting are reported as stopped, like those it interrupted.
    for (const sr of queue) reports.push({ name: sr.source.name, outcome: { ok: false, error: cancelled(sr.source.name) } });
    const order = [...this.sources.keys()];
    return reports.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  }

  /** Each source on its own loop until `signal` aborts: poll, then wait interval ± jitter from the end of that poll. */
  async runForever(signal: AbortSignal): Promise<void> {
    const fleet = this.deps.fleet;
    if (fleet !== undefined) {
      this.fleetRunning = true;
      await fleet.runForever(signal, [...this.sources.keys()], async (name, stop, retired) => {
        const sr = this.sources.get(name)!;
        await sr.init(true, { freshBreaker: this.freshBreakers.delete(name) });
        await this.loop(sr, stop, AbortSignal.any([stop, retired]), 0);
      });
      return;
    }
    const failed = new AbortController();
    const stop = AbortSignal.any([signal, failed.signal]);
    let first: { error: unknown } | undefined;
    this.loopStop = stop;
    this.loopFailed = (error) => {
      first ??= { error };
      failed.abort();
    };
    for (const sr of this.sources.values()) this.startLoop(sr, 0);
    if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
    // A reload in progress finishes (or gives up on the stop) before the loops are counted.
    await this.reloading;
    await Promise.all([...this.loops.values()].map((l) => l.done));
    if (first) throw first.error;
  }

  private startLoop(sr: SourceRuntime, firstWaitMs: number): void {
    const retire = new AbortController();
    const done = this.loop(sr, this.loopStop!, retire.signal, firstWaitMs).catch((error: unknown) => this.loopFailed?.(error));
    this.loops.set(sr.source.name, { retire, done });
  }

  /**
   * Applies a reloaded config (SIGHUP, POST /api/v1/reload) to `runForever`'s loops. A removed,
   * changed or restarted source finishes its poll in flight (its pages committed), then stops; a
   * changed or restarted one starts again from its committed state (cursor, dedupe window) at its
   * next scheduled poll; an added one polls at once. Reloads run one at a time.
   */
  reload(next: LoadedConfig, restartAll: boolean): Promise<ReloadPlan> {
    const applied = this.reloading.then(() => this.applyReload(next, restartAll));
    this.reloading = applied.catch(() => undefined);
    return applied;
  }

  private async applyReload(next: LoadedConfig, restartAll: boolean): Promise<ReloadPlan> {
    if (this.deps.fleet !== undefined) return this.applyFleetReload(this.deps.fleet, next, restartAll);
    const filtered = { ...next, sources: next.sources.filter((s) => this.wanted === undefined || this.wanted.has(s.name)) };
    const plan = planReload(
      [...this.sources.values()].map((sr) => sr.source),
      filtered,
      restartAll,
      this.deps.hookScriptChanged,
    );
    const stopping = this.loopStop;
    const nextPoll = new Map<string, number>();
    for (const name of [...plan.removed, ...plan.changed.map((s) => s.name), ...plan.restarted.map((s) => s.name)]) {
      const at = this.sources.get(name)?.status.nextPollAt;
      if (at !== undefined) nextPoll.set(name, Date.parse(at));
      const loop = this.loops.get(name);
      loop?.retire.abort();
      await loop?.done;
      this.loops.delete(name);
      if (plan.removed.includes(name)) {
        this.sources.delete(name);
        await this.deps.retireHooks?.(name);
      }
    }
    this.deps.config = { ...next, global: { ...this.deps.config.global, ...pickReloadable(next) } };
    const now = this.deps.clock.now();
    for (const source of [...plan.changed, ...plan.restarted]) {
      const sr = await this.build(source, { freshBreaker: plan.restarted.includes(source) || restartAll });
      this.sources.set(source.name, sr);
      // The schedule goes on: the next poll stays when it was due, unless the new interval is shorter.
      const due = nextPoll.get(source.name);
      const wait = due === undefined ? 0 : Math.min(Math.max(0, due - now), source.schedule.interval_secs * 1000);
      if (stopping !== undefined && !stopping.aborted) this.startLoop(sr, wait);
    }
    for (const source of plan.added) {
      const sr = await this.build(source);
      this.sources.set(source.name, sr);
      if (stopping !== undefined && !stopping.aborted) this.startLoop(sr, 0);
    }
    this.deps.logger.info(planSummary(plan), 'config reloaded');
    return plan;
  }

  /**
   * A reload with a shared state backend: the sources removed, changed or restarted are handed over
   * (their poll in flight finishes, their lease is released), the new set is shared out again, and
   * whichever instance acquires a changed or added source next runs it from its committed state.
   */
  private async applyFleetReload(fleet: Fleet, next: LoadedConfig, restartAll: boolean): Promise<ReloadPlan> {
    const filtered = { ...next, sources: next.sources.filter((s) => this.wanted === undefined || this.wanted.has(s.name)) };
    const plan = planReload(
      [...this.sources.values()].map((sr) => sr.source),
      filtered,
      restartAll,
      this.deps.hookScriptChanged,
    );
    const handOver = [...plan.removed, ...plan.changed.map((s) => s.name), ...plan.restarted.map((s) => s.name)];
    const swap = async () => {
      for (const name of plan.removed) {
        this.sources.delete(name);
        await this.deps.retireHooks?.(name);
      }
      for (const source of [...plan.changed, ...plan.restarted, ...plan.added]) this.sources.set(source.name, await this.build(source));
      for (const source of restartAll ? [...plan.changed, ...plan.restarted] : plan.restarted) this.freshBreakers.add(source.name);
    };
    if (this.fleetRunning)
      await fleet.retarget(
        filtered.sources.map((s) => s.name),
        handOver,
        swap,
      );
    else await swap();
    this.deps.config = { ...next, global: { ...this.deps.config.global, ...pickReloadable(next) } };
    this.deps.logger.info(planSummary(plan), 'config reloaded');
    return plan;
  }

  private async loop(sr: SourceRuntime, signal: AbortSignal, retired: AbortSignal, firstWaitMs: number): Promise<void> {
    const random = this.deps.random ?? Math.random;
    const { interval_secs: interval, jitter_secs: jitter } = sr.source.schedule;
    const name = sr.source.name;
    const idle = AbortSignal.any([signal, retired]);
    if (firstWaitMs > 0) {
      sr.status.nextPollAt = new Date(this.deps.clock.now() + firstWaitMs).toISOString();
      await this.sleepUntilWoken(name, firstWaitMs, idle);
    }
    while (!idle.aborted) {
      sr.status.nextPollAt = undefined;
      const shed = this.shedder.shouldSkip(sr.source, this.deps.config.global.load_shedding.skip_priority_below);
      if (shed === undefined) await this.slot(signal, () => sr.poll(signal));
      else sr.skipShed(shed);
      // A poll triggered through the API restarts the wait, so polls never run back to back.
      let woken = true;
      while (woken && !idle.aborted) {
        let delayMs = this.degradation.intervalMs(name, Math.max(0, (interval + (random() * 2 - 1) * jitter) * 1000));
        if (sr.breaker.state === 'open') delayMs = Math.max(sr.breaker.msUntilTrial(), 1000);
        sr.status.nextPollAt = new Date(this.deps.clock.now() + delayMs).toISOString();
        woken = await this.sleepUntilWoken(name, delayMs, idle);
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

/** The `global` keys a reload applies (see RELOADABLE_GLOBAL_KEYS). */
function pickReloadable(next: LoadedConfig): Partial<LoadedConfig['global']> {
  const { reload, dump_on_sigusr1, audit, load_shedding } = next.global;
  return { reload, dump_on_sigusr1, audit, load_shedding };
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
