import type { Clock } from '../clock.js';
import type { RateLimitConfig } from '../config/schema.js';
import { cancelled } from '../errors.js';
import type { HttpTransport } from '../source/transport.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Requests sent within the last `windowMs`, oldest first. */
class SlidingWindow {
  private readonly sent: number[] = [];

  constructor(
    readonly windowMs: number,
    public limit: number,
  ) {}

  /** How long until one more request fits (0 = now). */
  waitMs(now: number): number {
    while (this.sent.length > 0 && this.sent[0]! <= now - this.windowMs) this.sent.shift();
    if (this.sent.length < this.limit) return 0;
    return this.sent[this.sent.length - this.limit]! + this.windowMs - now;
  }

  record(now: number): void {
    this.sent.push(now);
  }
}

/**
 * A client-side allowance of requests per minute and per hour. Windows slide, so no 60 s (or 3600 s)
 * span ever holds more than the limit, whatever window alignment the server counts in.
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

  /** Resolves when one more request is allowed and counts it; rejects with HEL_CANCELLED on abort. */
  async acquire(signal: AbortSignal, source?: string): Promise<void> {
    for (;;) {
      if (signal.aborted) throw cancelled(source);
      const now = this.clock.now();
      const wait = Math.max(0, ...[...this.windows.values()].map((w) => w.waitMs(now)));
      if (wait === 0) {
        // Checked and counted in one synchronous step, so concurrent sources cannot overshoot.
        for (const w of this.windows.values()) w.record(now);
        return;
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
      await budget.acquire(context.signal, context.source);
      return inner.send(request, context);
    },
  };
}
