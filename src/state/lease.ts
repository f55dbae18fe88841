import { HelError } from '../errors.js';
import type { BudgetLedger } from '../resilience/budget.js';
import type { Checkpoint, SourceSnapshot, StateExport, StateStore } from './store.js';

/**
 * Leases for a state store shared by several Hel instances. A source is polled by the holder of
 * its lease only; every grant carries a fencing token that only ever grows, and every checkpoint
 * names the token it was written under, so a holder that lost its lease (paused, cut off) can
 * never move a cursor or a dedupe window. Times are the database's, so instances' clocks may differ.
 */
export interface Lease {
  source: string;
  owner: string;
  token: string;
  /** Milliseconds since the epoch (database time). */
  expiresAt: number;
}

export interface LeaseGrant extends Lease {
  /** The previous owner when the lease was taken from an instance that let it expire. */
  tookOverFrom?: string;
}

/** A row of `hel state show` and /api/v1/sources: who holds a source, until when. */
export interface LeaseInfo {
  source: string;
  owner: string | null;
  token: string;
  expiresAt: number | null;
}

export interface LeaseStore {
  /** Announces this instance for `ttlMs`; returns the ids of every live instance, sorted. */
  heartbeat(instance: string, ttlMs: number): Promise<string[]>;
  /** Leaves the fleet at once: membership and every lease still held. */
  leave(instance: string): Promise<void>;
  /** Grants the lease when it is free or expired, under a new token; undefined when another holds it. */
  acquire(source: string, owner: string, ttlMs: number): Promise<LeaseGrant | undefined>;
  /** Extends the leases still held under their tokens, in one step: their new expiries by source; a missing source was lost. */
  renew(owner: string, leases: readonly Lease[], ttlMs: number): Promise<Map<string, number>>;
  release(lease: Lease): Promise<void>;
  leases(): Promise<LeaseInfo[]>;
}

/** A store whose checkpoints can be made conditional on a lease. */
export interface SharedStateStore extends StateStore {
  readonly leasing: LeaseStore;
  /** Request budgets counted for the whole fleet. */
  readonly budgets: BudgetLedger;
  /** Like commit, but refused with HEL_LEASE_LOST unless `lease` is still the current grant. */
  commitFenced(source: string, checkpoint: Checkpoint, lease: Lease): Promise<void>;
}

export function isSharedStore(store: StateStore): store is SharedStateStore {
  return (store as Partial<SharedStateStore>).leasing !== undefined;
}

export function leaseLost(source: string, lease: Lease, what: string): HelError {
  return new HelError('HEL_LEASE_LOST', `${what} refused: the lease of ${source} (token ${lease.token}) is no longer held by ${lease.owner}`, {
    source,
    hint: 'another instance took the source over (this one was paused, cut off or too slow to renew); it is dropped here and may be acquired again later',
  });
}

/**
 * One source's view of a shared store for the engine: its checkpoints carry the lease currently
 * held, and without one they are refused. Reads and the other calls pass through.
 */
export class FencedStore implements StateStore {
  lease: Lease | undefined;
  /**
   * Until when, by this instance's clock, the lease is surely held: the TTL counted from when the
   * last successful grant or renewal was *sent* (the database set its expiry after that).
   */
  heldUntil = 0;

  constructor(
    private readonly inner: SharedStateStore,
    private readonly onLost: (source: string, error: HelError) => void,
    private readonly now: () => number,
    /** How much of the lease must be left to start a write: room for the write to land before anyone could take the source. */
    private readonly writeMarginMs: number,
  ) {}

  /** A page is written only with the lease surely held for a while longer; else the source is dropped here. */
  beforeWrite(source: string): void {
    const lease = this.lease;
    if (lease !== undefined && lease.source === source && this.now() < this.heldUntil - this.writeMarginMs) return;
    const error =
      lease === undefined
        ? new HelError('HEL_LEASE_LOST', `write refused: ${source} is not leased by this instance`, { source })
        : leaseLost(source, lease, 'write of a page (the lease was not renewed in time; this instance was paused or cut off)');
    this.onLost(source, error);
    throw error;
  }

  get description(): string {
    return this.inner.description;
  }

  async commit(source: string, checkpoint: Checkpoint): Promise<void> {
    const lease = this.lease;
    if (lease === undefined || lease.source !== source) {
      const error = new HelError('HEL_LEASE_LOST', `checkpoint refused: ${source} is not leased by this instance`, { source });
      this.onLost(source, error);
      throw error;
    }
    try {
      await this.inner.commitFenced(source, checkpoint, lease);
    } catch (err) {
      if (err instanceof HelError && err.code === 'HEL_LEASE_LOST') this.onLost(source, err);
      throw err;
    }
  }

  load(source: string): Promise<SourceSnapshot> {
    return this.inner.load(source);
  }

  reset(source: string): Promise<void> {
    return this.inner.reset(source);
  }

  sources(): Promise<string[]> {
    return this.inner.sources();
  }

  exportAll(): Promise<StateExport> {
    return this.inner.exportAll();
  }

  importAll(data: StateExport): Promise<void> {
    return this.inner.importAll(data);
  }

  healthy(): boolean {
    return this.inner.healthy();
  }

  /** The shared store is closed by its opener, once, not by each source. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
