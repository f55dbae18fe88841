import type { Clock } from '../clock.js';
import type { RateLimitConfig } from '../config/schema.js';
import { cancelled } from '../errors.js';
import type { HttpTransport } from '../http/transport.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** One request counted by a window: from when it is sent until a window after its response arrived. */
interface Slot {
  /** When the response arrived; while the request is in flight, the server may count it at any moment. */
  doneAt?: number;
}

/** Requests counted within the last `windowMs`. */
class SlidingWindow {
  private slots: Slot[] = [];

  constructor(
    readonly windowMs: number,
    public limit: number,
  ) {}

  /** How long until one more request fits (0 = now). */
  waitMs(now: number): number {
    this.slots = this.slots.filter((s) => s.doneAt === undefined || s.doneAt > now - this.windowMs);
    if (this.slots.length < this.limit) return 0;
    const expiries = this.slots.map((s) => (s.doneAt ?? now) + this.windowMs - now).sort((a, b) => a - b);
    return expiries[this.slots.length - this.limit]!;
  }

  take(slot: Slot): void {
    this.slots.push(slot);
  }
}

export interface BudgetWindow {
  windowMs: number;
  limit: number;
}

/** What a shared ledger answers: a slot (call `done` when the response arrived) or how long to wait. */
export type BudgetTake = { done(): void; waitMs?: undefined } | { waitMs: number };

/**
 * Where a fleet of instances counts its requests (a shared state backend): checking and taking
 * a slot is one atomic step across every instance, with the same windows as the local budget.
 */
export interface BudgetLedger {
  take(budget: string, owner: string, windows: readonly BudgetWindow[]): Promise<BudgetTake>;
}

/** A fleet's ledger and this instance's name in it. */
export interface SharedBudgets {
  ledger: BudgetLedger;
  owner: string;
}

/**
 * A client-side allowance of requests per minute and per hour. Windows slide, and a request counts
 * from when it is sent until a full window after its response, so however the server aligns its
 * windows and whenever (between the two) it counted the request, it never sees more than the limit.
 */
export class RequestBudget {
  private readonly windows = new Map<number, SlidingWindow>();

  constructor(
    private readonly clock: Clock,
    private readonly shared?: SharedBudgets & { name: string },
  ) {}

  /** Adds limits; when several sources set the same window, the strictest wins. */
  tighten(windowMs: number, limit: number | undefined): void {
    if (limit === undefined) return;
    const existing = this.windows.get(windowMs);
    if (existing === undefined) this.windows.set(windowMs, new SlidingWindow(windowMs, limit));
    else existing.limit = Math.min(existing.limit, limit);
  }

  get limited(): boolean {
    return this.windows.size > 0;
  }

  /**
   * Resolves when one more request is allowed and counts it; rejects with HEL_CANCELLED on abort.
   * Call the returned function when the response (or failure) has arrived.
   */
  async acquire(signal: AbortSignal, source?: string): Promise<() => void> {
    if (this.shared !== undefined && this.limited) return this.acquireShared(this.shared, signal, source);
    for (;;) {
      if (signal.aborted) throw cancelled(source);
      const now = this.clock.now();
      const wait = Math.max(0, ...[...this.windows.values()].map((w) => w.waitMs(now)));
      if (wait === 0) {
        // Checked and counted in one synchronous step, so concurrent sources cannot overshoot.
        const slot: Slot = {};
        for (const w of this.windows.values()) w.take(slot);
        return () => (slot.doneAt = this.clock.now());
      }
      await this.clock.sleep(wait, signal);
    }
  }

  /** The fleet-wide variant: the ledger counts every instance's requests in the same windows. */
  private async acquireShared(shared: SharedBudgets & { name: string }, signal: AbortSignal, source?: string): Promise<() => void> {
    const windows = [...this.windows.values()].map((w) => ({ windowMs: w.windowMs, limit: w.limit }));
    for (;;) {
      if (signal.aborted) throw cancelled(source);
      const taken = await shared.ledger.take(shared.name, shared.owner, windows);
      if (taken.waitMs === undefined) return () => taken.done();
      await this.clock.sleep(taken.waitMs, signal);
    }
  }
}

/** Budgets by name: every source naming the same `rate_limit.budget` shares one allowance. */
export class BudgetRegistry {
  private readonly budgets = new Map<string, RequestBudget>();

  constructor(
    private readonly clock: Clock,
    private readonly shared?: SharedBudgets,
  ) {}

  /** The budget a source draws from, or undefined when it sets no limits and names no budget. */
  budgetFor(source: string, rateLimit: RateLimitConfig): RequestBudget | undefined {
    const key = rateLimit.budget ?? `source:${source}`;
    let budget = this.budgets.get(key);
    if (budget === undefined) {
      budget = new RequestBudget(this.clock, this.shared && { ...this.shared, name: key });
      this.budgets.set(key, budget);
    }
    budget.tighten(MINUTE_MS, rateLimit.max_requests_per_minute);
    budget.tighten(HOUR_MS, rateLimit.max_requests_per_hour);
    return rateLimit.budget !== undefined || budget.limited ? budget : undefined;
  }
}

/** Every request waits for the budget before it is sent. */
export function budgetTransport(inner: HttpTransport, budget: RequestBudget): HttpTransport {
  return {
    async send(request, context) {
      const done = await budget.acquire(context.signal, context.source);
      try {
        return await inner.send(request, context);
      } finally {
        done();
      }
    },
  };
}
