import type { ResolvedSource } from '../../../../src/config/resolved.js';
import type { EventMapper, MappedFormat } from '../../../../src/pipeline/mappings.js';
import { lookupMapper } from '../../../../src/integrations/mapper-lookup.js';
import type { ApiVersion, Stream } from '../../../../src/integrations/onepassword/mock/items.js';

export const COLLECTED_AT = '2026-03-02T12:05:00.000Z';

/** A source written out in full with an Events API URL, as the explicit form and examples/hel.yaml have it. */
function explicitSource(stream: Stream, version: ApiVersion = 'v2'): ResolvedSource {
  return { name: `op-${stream}`, url: `https://events.1password.com/api/${version}/${stream}`, labelKey: 'source', labelValue: `op-${stream}` } as ResolvedSource;
}

export function mapperOf(format: MappedFormat, stream: Stream, version: ApiVersion = 'v2', rawData = false): EventMapper {
  const found = lookupMapper(explicitSource(stream, version), format, { rawData, labelKey: 'source', labelValue: `op-${stream}` });
  if (!found.ok) throw new Error(found.reason);
  return found.mapper;
}
