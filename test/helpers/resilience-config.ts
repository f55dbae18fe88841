import type { ResilienceConfig, RetriesConfig } from '../../src/config/schema.js';
import { resilienceSchema } from '../../src/config/schema.js';

/** A resilience block with the schema's defaults, jitter 0 and the given overrides. */
export function resilience(overrides: { timeout_secs?: number; retries?: Partial<RetriesConfig>; rate_limit?: Record<string, unknown> } = {}): ResilienceConfig {
  return resilienceSchema.parse({
    timeout_secs: overrides.timeout_secs ?? 5,
    retries: { initial_backoff_secs: 2, max_backoff_secs: 60, multiplier: 2, jitter: 0, ...overrides.retries },
    rate_limit: overrides.rate_limit ?? {},
  });
}
