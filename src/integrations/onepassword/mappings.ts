/**
 * 1Password's output mappings (OCSF, ECS) of its three streams; attached to the integration in
 * index.ts. Which stream a source reads is what the integration set on it (`integration.stream`:
 * the short form's stream, or the path of an Events API URL).
 */
import type { ResolvedSource } from '../../config/resolved.js';
import type { EventMapper, EventMappings, FormatMapping, MapContext, MappingOptions, RecoveredEvent } from '../../pipeline/mappings.js';
import { isObject } from '../../pipeline/leftovers.js';
import { streamOfUrl } from './regions.js';
import type { OnePasswordStream } from './ocsf/common.js';
import { mapAuditEvent } from './ocsf/audit.js';
import { mapSignInAttempt } from './ocsf/sign-in.js';
import { mapItemUsage } from './ocsf/item-usage.js';
import { recoverFromOcsf } from './ocsf/recover.js';
import { mapToEcs } from './ecs/map.js';
import { recoverFromEcs } from './ecs/recover.js';

const STREAMS: readonly OnePasswordStream[] = ['auditevents', 'signinattempts', 'itemusages'];

/** The 1Password stream a source collects, or undefined when it is not one of the three. */
function onePasswordStreamOf(source: ResolvedSource): OnePasswordStream | undefined {
  const named = source.integration?.stream ?? streamOfUrl(source.url)?.stream;
  return STREAMS.find((s) => s === named);
}

type StreamMapper = (event: Record<string, unknown>, context: MapContext, options: MappingOptions) => Record<string, unknown>;

const OCSF_MAPPERS: Record<OnePasswordStream, StreamMapper> = {
  auditevents: mapAuditEvent,
  signinattempts: mapSignInAttempt,
  itemusages: mapItemUsage,
};

type LabelOf = (line: Record<string, unknown>, key: string) => unknown;

/** A mapper over one stream; a non-object item (which 1Password never sends) is wrapped so it still maps. */
function streamMapper(map: StreamMapper, options: MappingOptions, recover: (line: Record<string, unknown>) => RecoveredEvent | undefined, labelOf: LabelOf): EventMapper {
  return {
    map: (event, context) => map(isObject(event) ? event : { value: event }, context, options),
    eventOf: (line) => (labelOf(line, options.labelKey) === options.labelValue ? recover(line)?.event : undefined),
  };
}

/** OCSF carries Hel's label as a metadata tag, ECS as a label. */
const ocsfLabel: LabelOf = (line, key) => {
  const tags = isObject(line.metadata) ? line.metadata.tags : undefined;
  const tag = Array.isArray(tags) ? (tags as unknown[]).find((t) => isObject(t) && t.name === key) : undefined;
  return isObject(tag) ? tag.value : undefined;
};
const ecsLabel: LabelOf = (line, key) => (isObject(line.labels) ? line.labels[key] : undefined);

const ocsf: FormatMapping = {
  mapperFor(source, options) {
    const stream = onePasswordStreamOf(source);
    return stream === undefined ? undefined : streamMapper(OCSF_MAPPERS[stream], options, recoverFromOcsf, ocsfLabel);
  },
  recover: recoverFromOcsf,
};

const ecs: FormatMapping = {
  mapperFor(source, options) {
    const stream = onePasswordStreamOf(source);
    return stream === undefined ? undefined : streamMapper((event, context, opts) => mapToEcs(stream, event, context, opts), options, recoverFromEcs, ecsLabel);
  },
  recover: recoverFromEcs,
};

export const onePasswordMappings: EventMappings = { ocsf, ecs };
