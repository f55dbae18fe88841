import { createHash } from 'node:crypto';
import type { Emitter } from '../bus/event-bus.js';
import type { Clock } from '../clock.js';
import { HelError, isCancellation } from '../errors.js';
import { describeError, errorLogFields } from '../errors/format.js';
import type { Logger } from '../log/logger.js';
import { FencedStore, type Lease, type LeaseInfo, type SharedStateStore } from '../state/lease.js';

export type LeaseEvent = 'acquired' | 'taken_over' | 'lost' | 'released';

/** What a fleet reports on the runtime's event bus (src/bus). */
export interface FleetEventMap {
  /** A lease acquired, taken over from an expired holder, lost or released; `held`: leases this instance holds now. */
  'lease.change': { source: string; event: LeaseEvent; held: number };
}

export interface FleetOptions {
  store: SharedStateStore;
  instance: string;
  ttlMs: number;
  clock: Clock;
  logger: Logger;
  events?: Emitter<FleetEventMap>;
}

interface Held {
  lease: Lease;
  /** Aborts the work on this source: lease lost, rebalanced away, or shutdown. */
  stop: AbortController;
  /** Ends the work once its poll in flight is over: a reload removed, changed or restarted the source. */
  retire: AbortController;
  /** Local time of the last successful renewal, to stop work when the database is unreachable. */
  renewedAt: number;
}

/** Work on a held source that is stopping or finishing its last poll: it no longer counts in the share. */
const ending = (h: Held): boolean => h.stop.signal.aborted || h.retire.signal.aborted;

/** Who holds a source, as the last look at the lease table saw it. */
export interface LeaseView {
  owner: string | null;
  expiresAt: number | null;
}

/**
 * This instance's part in a fleet sharing one state database. Every third of the lease TTL it
 * heartbeats, renews the leases it holds (work on a lease that cannot be renewed stops), and in
 * `runForever` takes its fair share of the sources: of N sources and k live instances, the
 * instance ranked r acquires up to floor(N/k), plus one when r < N mod k, and hands sources over
 * only above ceil(N/k). Which sources: the ones it ranks highest by a hash of (source, instance),
 * so each instance prefers different ones.
 */
export class Fleet {
  readonly instance: string;
  private readonly held = new Map<string, Held>();
  private readonly stores = new Map<string, FencedStore>();
  private table = new Map<string, LeaseView>();
  private members: string[] = [];
  private ticking: Promise<void> | undefined;
  private readonly tickStop = new AbortController();
  /** The sources `runForever` shares out; a reload replaces the list (`retarget`). */
  private sources: string[] = [];
  /** Set while a reload swaps the sources: no source is acquired or handed over meanwhile. */
  private retargeting = false;
  /** `runForever`'s work, by source, while it runs. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: FleetOptions) {
    this.instance = options.instance;
  }

  get renewEveryMs(): number {
    return Math.max(100, Math.floor(this.options.ttlMs / 3));
  }

  /** The store a source's engine writes through: checkpoints carry this instance's current lease. */
  storeFor(source: string): FencedStore {
    let store = this.stores.get(source);
    if (store === undefined) {
      // A write must start with a tenth of the TTL left (time enough for it to land): a healthy
      // instance renews with two thirds left, so only a renewal late by half the TTL trips it.
      store = new FencedStore(
        this.options.store,
        (name, error) => this.lost(name, describeError(error)),
        () => this.options.clock.now(),
        this.options.ttlMs / 10,
      );
      this.stores.set(source, store);
    }
    return store;
  }

  lease(source: string): LeaseView | undefined {
    const mine = this.held.get(source);
    if (mine) return { owner: this.instance, expiresAt: mine.lease.expiresAt };
    return this.table.get(source);
  }

  heldCount(): number {
    return this.held.size;
  }

  /**
   * Keeps this instance's fair share of `sources` running with `work` until `signal` aborts, then
   * stops the work and leaves the fleet, releasing every lease at once.
   */
  async runForever(signal: AbortSignal, sources: string[], work: (source: string, stop: AbortSignal, retired: AbortSignal) => Promise<void>): Promise<void> {
    const running = this.running;
    this.sources = [...sources];
    let failure: { error: unknown } | undefined;
    const failed = new AbortController();
    const stop = AbortSignal.any([signal, failed.signal]);
    const start = (source: string, held: Held): void => {
      const task = work(source, AbortSignal.any([stop, held.stop.signal]), held.retire.signal)
        .catch((error: unknown) => {
          if (isCancellation(error) || (error instanceof HelError && error.code === 'HEL_LEASE_LOST')) return;
          failure ??= { error };
          failed.abort();
        })
        .finally(async () => {
          running.delete(source);
          // Rebalanced away or shutting down: hand the source over at once instead of after the TTL.
          if (this.held.get(source) === held) {
            this.held.delete(source);
            this.storeFor(source).lease = undefined;
            await this.options.store.leasing.release(held.lease).catch(() => undefined);
            this.options.events?.emit('lease.change', { source, event: 'released', held: this.held.size });
          }
        });
      running.set(source, task);
    };
    try {
      await this.heartbeat();
      // Renewals run on their own schedule: a slow round of acquisitions never delays them past the TTL.
      this.startRenewing();
      await this.options.clock.sleep(Math.min(this.renewEveryMs, 2000), stop).catch(() => undefined);
      while (!stop.aborted) {
        await this.guarded(async () => {
          this.table = new Map((await this.options.store.leasing.leases()).map((l: LeaseInfo) => [l.source, { owner: l.owner, expiresAt: l.expiresAt }]));
          if (this.retargeting) return;
          this.balance(this.sources);
          await this.acquireShare(this.sources, start);
        });
        await this.options.clock.sleep(this.renewEveryMs, stop).catch(() => undefined);
      }
    } finally {
      for (const h of this.held.values()) h.stop.abort();
      await Promise.all(running.values());
      this.tickStop.abort();
      await this.ticking;
      await this.options.store.leasing.leave(this.instance).catch((err: unknown) => this.options.logger.warn(errorLogFields(err), `could not leave the fleet cleanly: ${describeError(err)}`));
    }
    if (failure) throw failure.error;
  }

  /**
   * A reload: the work on each of `handOver` (sources removed, changed or restarted) stops, its
   * poll in flight finishing first (its pages committed), and its lease is released; then `swap`
   * puts the new sources in place, and `sources` is the list shared out from the next round on,
   * by this instance and the others, each source from its committed state. Nothing is acquired
   * between the hand-over and the swap, so no source runs with its old config after it.
   */
  async retarget(sources: string[], handOver: string[], swap: () => Promise<void>): Promise<void> {
    this.retargeting = true;
    try {
      for (const source of handOver) this.held.get(source)?.retire.abort();
      await Promise.all(handOver.map((source) => this.running.get(source) ?? Promise.resolve()));
      await swap();
      this.sources = [...sources];
    } finally {
      this.retargeting = false;
    }
  }

  /**
   * Runs `fn` while holding `source`'s lease (renewed meanwhile): for `run --once`, `hel test`
   * and triggered polls. Undefined, without running, when another instance holds it.
   */
  async withLease<T>(source: string, signal: AbortSignal, fn: (signal: AbortSignal, acquired: boolean) => Promise<T>): Promise<{ value: T } | { heldBy: LeaseView }> {
    const existing = this.held.get(source);
    if (existing) return { value: await fn(AbortSignal.any([signal, existing.stop.signal]), false) };
    const held = await this.acquire(source);
    if (held === undefined) {
      const current = (await this.options.store.leasing.leases()).find((l) => l.source === source);
      return { heldBy: { owner: current?.owner ?? null, expiresAt: current?.expiresAt ?? null } };
    }
    this.startRenewing();
    try {
      return { value: await fn(AbortSignal.any([signal, held.stop.signal]), true) };
    } finally {
      if (this.held.get(source) === held) {
        this.held.delete(source);
        this.storeFor(source).lease = undefined;
        await this.options.store.leasing.release(held.lease).catch(() => undefined);
      }
    }
  }

  /** Ends the renewals `withLease` started and leaves the fleet. */
  async close(): Promise<void> {
    this.tickStop.abort();
    await this.ticking;
    if (this.ticking !== undefined || this.members.length > 0) await this.options.store.leasing.leave(this.instance).catch(() => undefined);
  }

  /** Heartbeat and renewals every third of the TTL, until close (or the end of runForever). */
  private startRenewing(): void {
    this.ticking ??= (async () => {
      while (!this.tickStop.signal.aborted) {
        await this.options.clock.sleep(this.renewEveryMs, this.tickStop.signal).catch(() => undefined);
        if (!this.tickStop.signal.aborted) {
          await this.guarded(async () => {
            await this.heartbeat();
            await this.renewAll();
          });
        }
      }
    })();
  }

  private async heartbeat(): Promise<void> {
    this.members = await this.options.store.leasing.heartbeat(this.instance, this.options.ttlMs);
  }

  /** A failed round is logged; when the database stays unreachable, work whose lease may have run out stops (its commits would be refused anyway). */
  private async guarded(round: () => Promise<void>): Promise<void> {
    const { logger, clock, ttlMs } = this.options;
    try {
      await round();
    } catch (err) {
      if (isCancellation(err)) return;
      logger.error(errorLogFields(err), `fleet: ${describeError(err)}`);
      for (const [source, h] of this.held) {
        if (clock.now() - h.renewedAt >= ttlMs) this.lost(source, 'the lease could not be renewed within its TTL');
      }
    }
  }

  private async renewAll(): Promise<void> {
    const held = [...this.held];
    const sent = this.options.clock.now();
    const renewed = await this.options.store.leasing.renew(
      this.instance,
      held.map(([, h]) => h.lease),
      this.options.ttlMs,
    );
    for (const [source, h] of held) {
      if (this.held.get(source) !== h) continue;
      const expiresAt = renewed.get(source);
      if (expiresAt === undefined) {
        this.lost(source, `renewal refused (token ${h.lease.token})`);
        continue;
      }
      h.lease = { ...h.lease, expiresAt };
      h.renewedAt = this.options.clock.now();
      this.hold(source, h.lease, sent);
    }
  }

  /** This instance's fair share of `total` sources among the live members. */
  private quota(total: number): number {
    const k = Math.max(1, this.members.length);
    const rank = Math.max(0, this.members.indexOf(this.instance));
    return Math.floor(total / k) + (rank < total % k ? 1 : 0);
  }

  private preference(source: string): string {
    return createHash('sha1').update(`${source}\u0000${this.instance}`).digest('hex');
  }

  /** Above the share (an instance joined): stop the least preferred sources; they are released when their work ends. */
  private balance(sources: string[]): void {
    const active = [...this.held].filter(([, h]) => !ending(h)).map(([source]) => source);
    // Up to the rounded-up share is kept: the rounding remainder stays where it is instead of moving back and forth.
    const excess = active.length - Math.ceil(sources.length / Math.max(1, this.members.length));
    if (excess <= 0) return;
    const byPreference = active.sort((a, b) => (this.preference(a) < this.preference(b) ? -1 : 1));
    for (const source of byPreference.slice(0, excess)) {
      this.options.logger.info({ source }, `fleet: handing ${source} over (share is now ${this.quota(sources.length)} of ${sources.length} over ${this.members.length} instances)`);
      this.held.get(source)!.stop.abort();
    }
  }

  private async acquireShare(sources: string[], start: (source: string, held: Held) => void): Promise<void> {
    const stopping = [...this.held.values()].filter(ending).length;
    let room = this.quota(sources.length) - (this.held.size - stopping);
    if (room <= 0) return;
    const free = sources.filter((s) => !this.held.has(s) && !this.table.get(s)?.owner).sort((a, b) => (this.preference(a) > this.preference(b) ? -1 : 1));
    for (const source of free) {
      if (room <= 0) break;
      const held = await this.acquire(source);
      if (held === undefined) continue;
      room--;
      start(source, held);
    }
  }

  private async acquire(source: string): Promise<Held | undefined> {
    const sent = this.options.clock.now();
    const grant = await this.options.store.leasing.acquire(source, this.instance, this.options.ttlMs);
    if (grant === undefined) return undefined;
    const held: Held = { lease: grant, stop: new AbortController(), retire: new AbortController(), renewedAt: this.options.clock.now() };
    this.held.set(source, held);
    this.hold(source, grant, sent);
    if (grant.tookOverFrom !== undefined) {
      this.options.logger.warn({ source, from: grant.tookOverFrom, fence: grant.token }, `fleet: took ${source} over from ${grant.tookOverFrom}, whose lease expired`);
      this.options.events?.emit('lease.change', { source, event: 'taken_over', held: this.held.size });
    } else {
      this.options.logger.info({ source, fence: grant.token }, `fleet: acquired ${source}`);
      this.options.events?.emit('lease.change', { source, event: 'acquired', held: this.held.size });
    }
    return held;
  }

  /** The source's checkpoints and writes go under `lease`, surely held until the TTL after `sent`. */
  private hold(source: string, lease: Lease, sent: number): void {
    const store = this.storeFor(source);
    store.lease = lease;
    store.heldUntil = sent + this.options.ttlMs;
  }

  /** The lease is gone: stop the work on this source now; it may be acquired again later under a new token. */
  private lost(source: string, why: string): void {
    const h = this.held.get(source);
    if (h === undefined) return;
    this.held.delete(source);
    this.storeFor(source).lease = undefined;
    h.stop.abort();
    this.options.logger.error({ source, fence: h.lease.token, code: 'HEL_LEASE_LOST' }, `fleet: lease of ${source} lost (${why}); this instance stops polling it`);
    this.options.events?.emit('lease.change', { source, event: 'lost', held: this.held.size });
  }
}
