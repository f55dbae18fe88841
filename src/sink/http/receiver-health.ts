import type { Clock } from '../../clock.js';
import type { HelError } from '../../errors.js';
import { describeError, errorLogFields } from '../../errors/format.js';
import type { Logger } from '../../log/logger.js';

/**
 * Whether the receiver is down: after `maxRetries` retries in a row failed (the first attempt plus
 * max_retries), until the next success. Being down changes what is reported, never what is
 * delivered: with backpressure `block` every batch keeps being retried.
 */
export class ReceiverHealth {
  private failures = 0;
  private downSince: number | undefined;

  constructor(
    private readonly maxRetries: number,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly receiver: string,
  ) {}

  get healthy(): boolean {
    return this.downSince === undefined;
  }

  failed(error: HelError): void {
    this.failures++;
    if (this.downSince === undefined && this.failures > this.maxRetries) {
      this.downSince = this.clock.now();
      this.log.error(
        errorLogFields(error),
        `output: ${this.receiver} is down after ${this.failures} failed attempts (${describeError(error)}); sources pause and nothing is dropped; retrying until it is back`,
      );
    }
  }

  succeeded(): void {
    if (this.downSince !== undefined) {
      this.log.warn(`output: ${this.receiver} is back after ${Math.round((this.clock.now() - this.downSince) / 1000)} s; delivery resumes`);
    }
    this.failures = 0;
    this.downSince = undefined;
  }
}
