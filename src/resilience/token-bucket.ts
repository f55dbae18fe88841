import type { Clock } from '../clock.js';
import { cancelled } from '../errors.js';
import type { HttpTransport } from '../http/transport.js';

/**
 * A client-side request rate (`rate_limit.max_requests_per_second`, `burst_size`): a bucket of
 * `burst` tokens refilled at `perSecond`; each request takes one, waiting for it when the bucket
 * is empty. Unlike the per-minute budget it counts requests as they are sent, so a steady source
 * runs at the configured rate whatever the server's latency.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
    this.refilledAt = clock.now();
  }

  /** Resolves once a token was taken; rejects with HEL_CANCELLED on abort. */
  async take(signal: AbortSignal, source?: string): Promise<void> {
    for (;;) {
      if (signal.aborted) throw cancelled(source);
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000), signal);
    }
  }
}

/** Every request (retries included) takes a token before it is sent. */
export function tokenBucketTransport(inner: HttpTransport, bucket: TokenBucket): HttpTransport {
  return {
    async send(request, context) {
      await bucket.take(context.signal, context.source);
      return inner.send(request, context);
    },
  };
}
