import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { HelError } from '../errors.js';
import { recoverEvent } from '../integrations/mapper-lookup.js';
import { type RawEvent, type ReportEvent, type StreamKind, field } from './event.js';

export interface TimeWindow {
  /** Inclusive lower bound, epoch ms. */
  since?: number;
  /** Exclusive upper bound, epoch ms. */
  until?: number;
}

export interface InputStats {
  files: { path: string; lines: number; events: number }[];
  /** Lines whose stream could not be recognised; listed, never dropped silently. */
  unrecognised: { count: number; samples: string[] };
  /** Events without a parseable `timestamp`. */
  withoutTimestamp: { count: number; samples: string[] };
  /** Same stream and `uuid` seen before (overlapping collection runs); counted once. */
  duplicates: Record<StreamKind, number>;
  /** Outside --since/--until. */
  outsideWindow: number;
}

const SAMPLE_LIMIT = 10;

/**
 * Streams Hel NDJSON files line by line (envelope, raw, ocsf or ecs format), recognises each event's stream,
 * drops exact duplicates and events outside the window, and hands the rest to `onEvent`.
 * A line that is not a JSON object is an error naming file:line.
 */
export async function readReportEvents(paths: string[], window: TimeWindow, onEvent: (event: ReportEvent) => void): Promise<InputStats> {
  const stats: InputStats = {
    files: [],
    unrecognised: { count: 0, samples: [] },
    withoutTimestamp: { count: 0, samples: [] },
    duplicates: { audit: 0, signin: 0, itemusage: 0 },
    outsideWindow: 0,
  };
  const seen: Record<StreamKind, Set<string>> = { audit: new Set(), signin: new Set(), itemusage: new Set() };

  for (const path of paths) {
    const fileStats = { path, lines: 0, events: 0 };
    stats.files.push(fileStats);
    for await (const { line, number } of readLines(path)) {
      fileStats.lines = number;
      if (line.trim() === '') continue;
      const where = `${path}:${number}`;
      const parsed = parseLine(line, where);
      const stream = streamOf(parsed);
      if (stream === undefined) {
        note(stats.unrecognised, where);
        continue;
      }
      const raw = stream.event;
      const timestamp = field(raw, 'timestamp');
      const time = timestamp === undefined ? NaN : Date.parse(timestamp);
      if (timestamp === undefined || Number.isNaN(time)) {
        note(stats.withoutTimestamp, where);
        continue;
      }
      if ((window.since !== undefined && time < window.since) || (window.until !== undefined && time >= window.until)) {
        stats.outsideWindow++;
        continue;
      }
      const uuid = field(raw, 'uuid');
      if (uuid !== undefined) {
        if (seen[stream.kind].has(uuid)) {
          stats.duplicates[stream.kind]++;
          continue;
        }
        seen[stream.kind].add(uuid);
      }
      fileStats.events++;
      const account = accountOf(parsed);
      onEvent({ stream: stream.kind, time, timestamp, raw, where, ...(account === undefined ? {} : { account }) });
    }
  }
  return stats;
}

/** The account label: in the envelope's `meta`, or a top-level key in raw format. */
function accountOf(line: RawEvent): string | undefined {
  const meta = line.meta;
  if (meta !== null && typeof meta === 'object' && !Array.isArray(meta)) return field(meta as RawEvent, 'account');
  return line.event === undefined ? field(line, 'account') : undefined;
}

function note(bucket: { count: number; samples: string[] }, where: string): void {
  bucket.count++;
  if (bucket.samples.length < SAMPLE_LIMIT) bucket.samples.push(where);
}

async function* readLines(path: string): AsyncGenerator<{ line: string; number: number }> {
  let isDirectory = false;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch {
    // Reported with its errno by the open below.
  }
  if (isDirectory) {
    throw new HelError('HEL_USAGE', `report input ${path} is a directory`, { hint: `pass the NDJSON files in it, e.g. --input ${path.replace(/\/+$/, '')}/*.ndjson` });
  }
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new HelError('HEL_USAGE', `cannot read report input ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'check the --input paths',
    });
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    yield { line, number };
  }
}

function parseLine(line: string, where: string): RawEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw malformed(where, `not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(where, 'expected a JSON object');
  return value as RawEvent;
}

function malformed(where: string, why: string): HelError {
  // Exit 2 like other bad command-line input: the file given to --input is not Hel NDJSON.
  return new HelError('HEL_USAGE', `${where}: malformed NDJSON line: ${why}`, { hint: 'hel report reads the NDJSON Hel writes (envelope, raw, ocsf or ecs format), one event per line' });
}

const ENDPOINT_STREAMS: [RegExp, StreamKind][] = [
  [/auditevents/, 'audit'],
  [/signinattempts/, 'signin'],
  [/itemusages/, 'itemusage'],
];

const MAPPED_STREAMS: Record<string, StreamKind> = { auditevents: 'audit', signinattempts: 'signin', itemusages: 'itemusage' };

/**
 * OCSF and ECS lines are turned back into the 1Password event by their mapping; envelope lines
 * carry `event` and `endpoint`; raw lines are the event itself, told apart by shape.
 */
export function streamOf(line: RawEvent): { kind: StreamKind; event: RawEvent } | undefined {
  const mapped = recoverEvent(line);
  if (mapped !== undefined) {
    const kind = mapped.integration === 'onepassword' ? MAPPED_STREAMS[mapped.stream] : undefined;
    return kind === undefined ? undefined : { kind, event: mapped.event };
  }
  const inner = line.event;
  if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
    const event = inner as RawEvent;
    const endpoint = field(line, 'endpoint');
    const byEndpoint = endpoint === undefined ? undefined : ENDPOINT_STREAMS.find(([re]) => re.test(endpoint))?.[1];
    const kind = byEndpoint ?? streamByShape(event);
    return kind === undefined ? undefined : { kind, event };
  }
  const kind = streamByShape(line);
  return kind === undefined ? undefined : { kind, event: line };
}

function streamByShape(event: RawEvent): StreamKind | undefined {
  const has = (k: string) => event[k] !== undefined;
  if (has('action') && has('object_type')) return 'audit';
  if (has('category') && has('type')) return 'signin';
  if (has('item_uuid') && has('vault_uuid')) return 'itemusage';
  return undefined;
}
