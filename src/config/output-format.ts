import type { GlobalConfig } from './schema.js';
import type { ResolvedSource } from './resolved.js';
import type { SemanticIssue } from './semantic.js';
import { isMappedFormat, type OutputFormat } from '../pipeline/mappings.js';
import { lookupMapper } from '../integrations/mapper-lookup.js';

/** A source's output format: its own `output_format`, else `global.output.format`. */
export function outputFormatOf(source: ResolvedSource, output: GlobalConfig['output']): OutputFormat {
  return source.output_format ?? output.format;
}

/** A short-form entry's `output_format` applies to every source it expands to. */
export function withOutputFormat(sources: ResolvedSource[], entry: unknown): ResolvedSource[] {
  const format = (entry as { output_format?: OutputFormat } | null)?.output_format;
  return format === undefined ? sources : sources.map((s) => ({ ...s, output_format: format }));
}

/** Every source written as ocsf or ecs needs its integration's mapping for that format. */
export function checkOutputFormats(sources: ResolvedSource[], output: GlobalConfig['output']): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  for (const source of sources) {
    const format = outputFormatOf(source, output);
    if (!isMappedFormat(format)) continue;
    const found = lookupMapper(source, format, { rawData: output.raw_data, labelKey: source.labelKey, labelValue: source.labelValue });
    if (!found.ok) {
      const why = source.output_format === undefined ? `global.output.format is ${format}: ${found.reason}` : found.reason;
      issues.push({ source, path: ['output_format'], message: why, hint: found.hint });
    }
  }
  return issues;
}
