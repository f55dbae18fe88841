import type { DegradationConfig } from '../config/operations-schema.js';

/**
 * `global.degradation` at run time: whether the state store fell back to memory and which sources
 * are going on without checkpoints. A degraded source polls `reduced_frequency_multiplier` times
 * less often; /readyz, /healthz, the metrics and the SIGUSR1 dump show the state.
 */
export class Degradation {
  /** Why the configured state store was replaced by memory, when it was. */
  fallbackReason: string | undefined;
  private readonly uncheckpointed = new Set<string>();

  constructor(readonly config: DegradationConfig) {}

  get fallbackActive(): boolean {
    return this.fallbackReason !== undefined;
  }

  degraded(source: string): boolean {
    return this.fallbackActive || this.uncheckpointed.has(source);
  }

  /** The poll interval of `source` in ms, lengthened while it is degraded. */
  intervalMs(source: string, ms: number): number {
    return this.degraded(source) ? ms * this.config.reduced_frequency_multiplier : ms;
  }

  /** Returns true when this starts a run of skipped checkpoints (the moment to say so loudly). */
  checkpointSkipped(source: string): boolean {
    const first = !this.uncheckpointed.has(source);
    this.uncheckpointed.add(source);
    return first;
  }

  /** Returns true when this ends a run of skipped checkpoints. */
  checkpointWritten(source: string): boolean {
    return this.uncheckpointed.delete(source);
  }

  summary(): { state_store_fallback_active: boolean; state_store_fallback_reason: string | null; sources_without_checkpoint: string[] } {
    return { state_store_fallback_active: this.fallbackActive, state_store_fallback_reason: this.fallbackReason ?? null, sources_without_checkpoint: [...this.uncheckpointed].sort() };
  }
}
