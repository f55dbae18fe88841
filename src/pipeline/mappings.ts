import type { ResolvedSource } from '../config/resolved.js';

/** Output formats that rewrite each event into a standard schema, through an integration's mapper. */
export const MAPPED_FORMATS = ['ocsf', 'ecs'] as const;
export type MappedFormat = (typeof MAPPED_FORMATS)[number];
export type OutputFormat = 'envelope' | 'raw' | MappedFormat;

export function isMappedFormat(format: string): format is MappedFormat {
  return (MAPPED_FORMATS as readonly string[]).includes(format);
}

/** What every mapped event is told besides the vendor event itself. */
export interface MapContext {
  /** Path of the URL that answered, e.g. /api/v2/auditevents. */
  endpoint: string;
  /** When Hel collected the page, ISO 8601. */
  collectedAt: string;
}

export interface MappingOptions {
  /** Keep the vendor's event as JSON text: OCSF `raw_data`, ECS `event.original`. */
  rawData: boolean;
  /** Hel's label of the source (key and value), carried in the schema's own place for labels. */
  labelKey: string;
  labelValue: string;
}

/** Rewrites one vendor event of one source into the output schema. */
export interface EventMapper {
  map(event: unknown, context: MapContext): Record<string, unknown>;
  /**
   * The vendor event behind a line this mapper wrote for this source (its label matches), for
   * reading an output back after a crash; undefined for any other line.
   */
  eventOf(line: Record<string, unknown>): Record<string, unknown> | undefined;
}

/** A line written by a mapper, turned back into the vendor's event (for `hel report`). */
export interface RecoveredEvent {
  /** The integration's own stream name, e.g. auditevents. */
  stream: string;
  event: Record<string, unknown>;
}

/** One format's mapping of one integration. */
export interface FormatMapping {
  /** The mapper for a source, or undefined when this integration has no mapping for that source (e.g. an unknown endpoint). */
  mapperFor(source: ResolvedSource, options: MappingOptions): EventMapper | undefined;
  /** The vendor event behind a line this mapping wrote, or undefined when the line is not one of its own. */
  recover(line: Record<string, unknown>): RecoveredEvent | undefined;
}

/** What an integration contributes to the output formats: its `mappings` member (integrations/integration.ts). */
export type EventMappings = Partial<Record<MappedFormat, FormatMapping>>;
