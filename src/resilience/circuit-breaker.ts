import type { Clock } from '../clock.js';
import type { CircuitBreakerConfig } from '../config/schema.js';
import { HelError } from '../errors.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What `hel state show` prints and what is restored at startup. */
export interface CircuitBreakerSnapshot {
  state: BreakerState;
  consecutive_failures: number;
  consecutive_successes: number;
  /** ISO time the breaker last opened; null when closed. */
  open_since: string | null;
  /** With failure_rate_threshold: the last polls' outcomes, oldest first ("1" failed, "0" succeeded). */
  recent?: string;
}

export interface BreakerStateChange {
  from: BreakerState;
  to: BreakerState;
  /** Consecutive failed polls that led here (0 when closing). */
  failures: number;
}

export interface CircuitBreakerOptions {
  clock: Clock;
  onStateChange?: (change: BreakerStateChange) => void;
  /** A snapshot saved by an earlier run. */
  initial?: CircuitBreakerSnapshot;
}

/**
 * Per-source breaker over POLLS, not requests (retries inside a poll are the retry wrapper's job):
 * closed → open after `failure_threshold` consecutive failed polls, or, with
 * `failure_rate_threshold`, once that share of the last `minimum_requests` polls failed;
 * open → half_open once min(`half_open_timeout_secs`, `reset_timeout_secs`) has passed;
 * half_open → closed after `success_threshold` consecutive successes, or back to open on any failure.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private successes = 0;
  private openedAt: number | undefined;
  /** Outcomes of the last `minimum_requests` polls while closed (true = failed). */
  private recent: boolean[] = [];

  constructor(
    private readonly config: CircuitBreakerConfig,
    private readonly options: CircuitBreakerOptions,
  ) {
    const initial = options.initial;
    if (initial !== undefined) {
      this.current = initial.state;
      this.failures = initial.consecutive_failures;
      this.successes = initial.consecutive_successes;
      this.openedAt = initial.open_since === null ? undefined : Date.parse(initial.open_since);
      this.recent = [...(initial.recent ?? '')].map((c) => c === '1');
    }
  }

  /** How long an open breaker stays open before a trial poll. */
  get openMs(): number {
    const { half_open_timeout_secs: halfOpen, reset_timeout_secs: reset } = this.config;
    return Math.min(halfOpen, reset ?? halfOpen) * 1000;
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Milliseconds until an open breaker lets a trial poll through (0 when not open). */
  msUntilTrial(): number {
    if (this.current !== 'open' || this.openedAt === undefined) return 0;
    return Math.max(0, this.openedAt + this.openMs - this.options.clock.now());
  }

  /** What an open breaker answers the poll it refuses (`allowPoll()` false): HEL_CIRCUIT_OPEN, with when the trial poll runs. */
  refusal(source: string): HelError {
    return new HelError('HEL_CIRCUIT_OPEN', `circuit open; next trial poll in ${Math.ceil(this.msUntilTrial() / 1000)}s`, {
      source,
      hint: "the source's last polls failed (its last_error says why); polling resumes with a trial poll when the wait ends, or at once after a reload with global.reload.restart_sources_on_sighup",
    });
  }

  /** Whether the next poll may run; an open breaker moves to half_open here once its timeout has passed. */
  allowPoll(): boolean {
    if (!this.config.enabled || this.current !== 'open') return true;
    if (this.msUntilTrial() > 0) return false;
    this.successes = 0;
    this.move('half_open');
    return true;
  }

  recordSuccess(): void {
    if (!this.config.enabled) return;
    this.failures = 0;
    this.remember(false);
    if (this.current !== 'half_open') return;
    this.successes += 1;
    if (this.successes >= this.config.success_threshold) {
      this.successes = 0;
      this.openedAt = undefined;
      this.move('closed');
    }
  }

  /**
   * The snapshot `recordSuccess()` would leave, without changing this breaker: a poll's last page
   * is committed with it before the poll counts as a success (one commit, not two).
   */
  afterSuccess(): CircuitBreakerSnapshot {
    const preview = new CircuitBreaker(this.config, { clock: this.options.clock, initial: this.toJSON() });
    preview.recordSuccess();
    return preview.toJSON();
  }

  recordFailure(): void {
    if (!this.config.enabled) return;
    this.failures += 1;
    this.successes = 0;
    this.remember(true);
    if (this.current === 'half_open' || (this.current === 'closed' && (this.failures >= this.config.failure_threshold || this.rateExceeded()))) {
      this.openedAt = this.options.clock.now();
      this.recent = [];
      this.move('open');
    }
  }

  private remember(failed: boolean): void {
    const window = this.config.minimum_requests;
    if (window === undefined || this.current !== 'closed') return;
    this.recent.push(failed);
    if (this.recent.length > window) this.recent.shift();
  }

  /** Whether the last `minimum_requests` polls (all of them observed) failed at `failure_rate_threshold` or more. */
  private rateExceeded(): boolean {
    const { failure_rate_threshold: threshold, minimum_requests: window } = this.config;
    if (threshold === undefined || window === undefined || this.recent.length < window) return false;
    return this.recent.filter(Boolean).length / window >= threshold;
  }

  toJSON(): CircuitBreakerSnapshot {
    return {
      state: this.current,
      consecutive_failures: this.failures,
      consecutive_successes: this.successes,
      open_since: this.openedAt === undefined ? null : new Date(this.openedAt).toISOString(),
      ...(this.config.minimum_requests === undefined ? {} : { recent: this.recent.map((f) => (f ? '1' : '0')).join('') }),
    };
  }

  private move(to: BreakerState): void {
    const from = this.current;
    this.current = to;
    this.options.onStateChange?.({ from, to, failures: to === 'closed' ? 0 : this.failures });
  }
}
