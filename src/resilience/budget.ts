import type { Clock } from '../clock.js';
import type { RateLimitConfig } from '../config/schema.js';
import { cancelled } from '../errors.js';
import type { HttpTransport } from '../source/transport.js';

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

/**
 * A client-side allowance of requests per minute and per hour. Windows slide, and a request counts
 * from when it is sent until a full window after its response, so however the server aligns its
 * windows and whenever (between the two) it counted the request, it never sees more than the limit.
 */
export class RequestBudget {
  private readonly windows = new Map<number, SlidingWindow>();

  constructor(private readonly clock: Clock) {}

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
}

/** Budgets by name: every source naming the same `rate_limit.budget` shares one allowance. */
export class BudgetRegistry {
  private readonly budgets = new Map<string, RequestBudget>();

  constructor(private readonly clock: Clock) {}

  /** The budget a source draws from, or undefined when it sets no limits and names no budget. */
  budgetFor(source: string, rateLimit: RateLimitConfig): RequestBudget | undefined {
    const key = rateLimit.budget ?? `source:${source}`;
    let budget = this.budgets.get(key);
    if (budget === undefined) {
      budget = new RequestBudget(this.clock);
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
