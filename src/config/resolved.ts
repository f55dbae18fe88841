import type { SourceConfig } from './schema.js';

/** Which integration a source belongs to; set on every source an integration expands or owns. */
export interface SourceIntegration {
  type: string;
  /** The short-form entry it was expanded from; absent for a source written out in full. */
  entry?: string;
  /** The vendor's stream (endpoint family) this source reads, e.g. `auditevents`. */
  stream?: string;
  /** The account (tenant) of a multi-account entry; `hel validate` folds its sources into one line. */
  account?: string;
}

/**
 * A source ready for the engine: config with defaults, its name, and its NDJSON label. Declared
 * apart from the loader that builds it, so every layer can read it without importing the loader
 * (which runs the integrations' checks: docs/architecture.md#layers).
 */
export interface ResolvedSource extends SourceConfig {
  name: string;
  labelKey: string;
  labelValue: string;
  /** The integration that expanded or owns this source (its `type`), when one does. */
  integration?: SourceIntegration;
  /** Labels written into every event's envelope `meta` (e.g. the account of a multi-account entry). */
  envelopeMeta?: Record<string, string>;
}
