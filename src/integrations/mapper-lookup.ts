import type { ResolvedSource } from '../config/resolved.js';
import { HelError } from '../errors.js';
import type { EnvelopeOptions } from '../pipeline/envelope.js';
import { MAPPED_FORMATS, isMappedFormat, type EventMapper, type MappedFormat, type MappingOptions, type OutputFormat, type RecoveredEvent } from '../pipeline/mappings.js';
import { integrationOf, integrationOwning, integrations } from './registry.js';

// The mapping interfaces and the encoder are the pipeline's (src/pipeline/); finding the integration
// that maps a source, or that wrote a line, asks the registry, so it sits here above every integration.

export type MapperLookup = { ok: true; mapper: EventMapper } | { ok: false; reason: string; hint: string };

/** The mapper of a source for a mapped format, or why there is none. */
export function lookupMapper(source: ResolvedSource, format: MappedFormat, options: MappingOptions): MapperLookup {
  const integration = integrationOf(source) ?? integrationOwning(source);
  if (integration === undefined) {
    const known = integrations()
      .filter((i) => i.mappings?.[format] !== undefined)
      .map((i) => i.type);
    return {
      ok: false,
      reason: `output format ${format} needs a mapping, and source ${source.name} belongs to no integration that has one (${known.join(', ') || 'none'})`,
      hint: `set output_format: envelope (or raw) on this source${known[0] ? `, or use the integration's short form (type: ${known[0]})` : ''}`,
    };
  }
  const mapper = integration.mappings?.[format]?.mapperFor(source, options);
  if (mapper === undefined) {
    return {
      ok: false,
      reason: `the ${integration.type} integration has no ${format} mapping for source ${source.name} (${source.url})`,
      hint: 'set output_format: envelope (or raw) on this source',
    };
  }
  return { ok: true, mapper };
}

/** The vendor event behind a mapped line, asking every integration's mappings; undefined when none claims it. */
export function recoverEvent(line: Record<string, unknown>): (RecoveredEvent & { integration: string; format: MappedFormat }) | undefined {
  for (const integration of integrations()) {
    for (const format of MAPPED_FORMATS) {
      const found = integration.mappings?.[format]?.recover(line);
      if (found !== undefined) return { ...found, integration: integration.type, format };
    }
  }
  return undefined;
}

/** The encoder of a source in a format; ocsf / ecs look up the mapper of the source's integration. */
export function encoderOptions(source: ResolvedSource, format: OutputFormat, rawData: boolean): EnvelopeOptions {
  const options: EnvelopeOptions = {
    format,
    labelKey: source.labelKey,
    labelValue: source.labelValue,
    timestampPath: source.timestamp_path,
    meta: source.envelopeMeta,
    idPath: source.transform?.id_field,
  };
  if (!isMappedFormat(format)) return options;
  const found = lookupMapper(source, format, { rawData, labelKey: source.labelKey, labelValue: source.labelValue });
  // Config validation rejects such a source first; this guards callers that skip it.
  if (!found.ok) throw new HelError('HEL_CONFIG', found.reason, { source: source.name, hint: found.hint });
  return { ...options, mapper: found.mapper };
}
