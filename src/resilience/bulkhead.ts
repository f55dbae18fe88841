import { cancelled } from '../errors.js';
import type { HttpTransport } from '../http/transport.js';

/**
 * A counting semaphore (Helr's bulkhead): at most `limit` holders at once, the rest wait in
 * arrival order. A waiter whose signal aborts leaves the queue without taking a slot.
 */
export class Bulkhead {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(readonly limit: number) {}

  /** Holders right now, for tests and the status view. */
  get inUse(): number {
    return this.active;
  }

  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.grant();
  }
}

/** `resilience.bulkhead.max_concurrent_requests`: each attempt on the wire holds a slot of `bulkhead`. */
export function bulkheadTransport(inner: HttpTransport, bulkhead: Bulkhead): HttpTransport {
  return {
    send: (request, context) => bulkhead.run(() => inner.send(request, context), context.signal),
  };
}
