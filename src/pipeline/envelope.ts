import { compilePath, getPath, type CompiledPath } from './path.js';
import type { LineBuffer } from './line-buffer.js';
import type { EventMapper, OutputFormat } from './mappings.js';

const FALLBACK_TIME_FIELDS = ['published', 'timestamp', 'ts', 'created_at', 'time'].map(compilePath);
/** A time JSON needs no escaping for (digits, `-:.+TZ`): quoted as it is, not through JSON.stringify, once per event. */
const PLAIN_TIME = /^[\d:.+TZ-]*$/;

export interface EnvelopeOptions {
  format: OutputFormat;
  /** ocsf / ecs: the source integration's mapper; each line is then the mapped event alone. */
  mapper?: EventMapper;
  labelKey: string;
  labelValue: string;
  /** Dotted path of the event time; else the usual field names; else the time of collection. */
  timestampPath?: string;
  /** Constant labels for the envelope's `meta` (raw format: extra top-level keys). */
  meta?: Record<string, string>;
  /** Helr's `transform.id_field`: the dotted path of the event id copied into the envelope's `meta.id`. */
  idPath?: string;
}

/**
 * Serialises events as NDJSON lines. The envelope is compatible with the original Hel:
 * {"ts","<label_key>":"<label_value>","endpoint","event":{raw},"meta":{}}.
 * The constant parts are encoded once per source, so each event costs one JSON.stringify.
 */
export class LineEncoder {
  private readonly labelPart: string;
  /** What ends a raw line: the label, then the closing brace. */
  private readonly rawTail: string;
  private readonly metaJson: string;
  private readonly timePaths: CompiledPath[];
  private readonly idPath: CompiledPath | undefined;
  /** A poll's pages share one endpoint: its JSON is kept instead of re-encoded per event. */
  private endpoint = '';
  private endpointJson = '""';

  constructor(private readonly options: EnvelopeOptions) {
    const meta = Object.entries(options.meta ?? {});
    this.labelPart = [[options.labelKey, options.labelValue], ...(options.format === 'raw' ? meta : [])].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
    this.rawTail = `,${this.labelPart}}\n`;
    this.metaJson = JSON.stringify(Object.fromEntries(meta));
    this.timePaths = options.timestampPath ? [compilePath(options.timestampPath)] : FALLBACK_TIME_FIELDS;
    this.idPath = options.idPath === undefined ? undefined : compilePath(options.idPath);
  }

  /** The event's own time as a string, if it has one. */
  eventTime(event: unknown): string | undefined {
    for (const path of this.timePaths) {
      const value = getPath(event, path);
      if (typeof value === 'string' && value.length > 0) return value;
      if (typeof value === 'number') return new Date(value > 1e12 ? value : value * 1000).toISOString();
    }
    return undefined;
  }

  /**
   * The event of a line this encoder wrote (it carries this source's label), for reading an output
   * back after a crash; undefined for any other line. A raw line is the event plus the label.
   */
  eventOf(line: string): unknown {
    if (this.options.mapper) return this.mappedEventOf(line);
    if (!line.includes(this.labelPart)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (value === null || typeof value !== 'object' || (value as Record<string, unknown>)[this.options.labelKey] !== this.options.labelValue) return undefined;
    return this.options.format === 'raw' ? value : (value as { event?: unknown }).event;
  }

  /** A mapped line carries the label in its schema's own place; the mapping rebuilds the vendor event. */
  private mappedEventOf(line: string): unknown {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return undefined;
    }
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? this.options.mapper?.eventOf(value as Record<string, unknown>) : undefined;
  }

  /**
   * Appends the event's NDJSON line to `lines` and returns its size in bytes; the caller passes the
   * event's `eventTime` (undefined for raw), so it is looked up once. `meta` (a JS hook's, per
   * event) joins the envelope's meta; raw and mapped lines have no meta. A line over `maxBytes` is
   * measured but not kept: `lines` is left as it was, for max_line_bytes_behavior to decide.
   *
   * The line goes into the page's buffer in pieces (envelope head, the event's JSON, tail) instead
   * of as one concatenated string: that string would be flattened (allocated and copied once more)
   * by the write, which for ~1 KB events was a third of what the encoder allocated.
   */
  appendLine(lines: LineBuffer, event: unknown, endpoint: string, collectedAt: string, eventTime: string | undefined, meta?: Record<string, unknown>, maxBytes?: number): number {
    if (this.options.mapper) return putLine(lines, '', JSON.stringify(this.options.mapper.map(event, { endpoint, collectedAt })), false, '\n', maxBytes);
    const json = JSON.stringify(event) ?? 'null';
    if (this.options.format === 'raw') {
      // The event's own members, then the label in place of its closing brace.
      if (json.length > 2 && json.startsWith('{')) return putLine(lines, '', json, true, this.rawTail, maxBytes);
      if (json === '{}') return putLine(lines, '', '', false, `{${this.labelPart}}\n`, maxBytes);
      return putLine(lines, '{"event":', json, false, this.rawTail, maxBytes);
    }
    if (endpoint !== this.endpoint) {
      this.endpoint = endpoint;
      this.endpointJson = JSON.stringify(endpoint);
    }
    const metaJson = meta === undefined ? this.metaOf(event) : JSON.stringify({ ...meta, ...(JSON.parse(this.metaOf(event)) as Record<string, unknown>) });
    const ts = eventTime ?? collectedAt;
    return putLine(lines, `{"ts":${PLAIN_TIME.test(ts) ? `"${ts}"` : JSON.stringify(ts)},${this.labelPart},"endpoint":${this.endpointJson},"event":`, json, false, `,"meta":${metaJson}}\n`, maxBytes);
  }

  /** The constant meta, plus `id` when `idPath` finds a string or a number in the event. */
  private metaOf(event: unknown): string {
    if (this.idPath === undefined) return this.metaJson;
    const id = getPath(event, this.idPath);
    if (typeof id !== 'string' && typeof id !== 'number') return this.metaJson;
    return this.metaJson === '{}' ? `{"id":${JSON.stringify(id)}}` : `${this.metaJson.slice(0, -1)},"id":${JSON.stringify(id)}}`;
  }

  /**
   * A line for an event whose own line is over `maxBytes`: the envelope with, as its event, the
   * start of the event's JSON text as a string ending in "...", cut so the line fits; `meta` says
   * the event was truncated and how long it was. Undefined for the mapped formats (ocsf, ecs),
   * whose schemas have no place for a cut event, and when even an empty cut does not fit.
   */
  truncated(event: unknown, endpoint: string, collectedAt: string, eventTime: string | undefined, maxBytes: number): string | undefined {
    if (this.options.mapper) return undefined;
    const json = JSON.stringify(event) ?? 'null';
    const originalBytes = Buffer.byteLength(json);
    const lineOf = (cut: string) => {
      const marker = { truncated: true, original_bytes: originalBytes };
      if (this.options.format === 'raw') return `{"event":${JSON.stringify(`${cut}...`)},"meta":${JSON.stringify(marker)},${this.labelPart}}\n`;
      const meta = JSON.parse(this.metaOf(event)) as Record<string, unknown>;
      return `{"ts":${JSON.stringify(eventTime ?? collectedAt)},${this.labelPart},"endpoint":${JSON.stringify(endpoint)},"event":${JSON.stringify(`${cut}...`)},"meta":${JSON.stringify({ ...meta, ...marker })}}\n`;
    };
    // Escaping makes the cut text longer in the line than in the event: shrink until it fits.
    let length = Math.min(json.length, maxBytes);
    for (;;) {
      const line = lineOf(json.slice(0, length));
      const bytes = Buffer.byteLength(line);
      if (bytes <= maxBytes) return line;
      if (length === 0) return undefined;
      length = Math.max(0, Math.min(length - 1, Math.floor((length * maxBytes) / bytes) - 1));
    }
  }
}

/**
 * Writes `head`, `body` (without its last character when `dropLast`: the closing brace of a raw
 * event) and `tail` as one line; returns its size in bytes. A line over `maxBytes` is cut off again,
 * and one whose body alone is longer (UTF-8 never has fewer bytes than UTF-16 units) is only
 * measured, so a huge event never grows the page's buffer.
 */
function putLine(lines: LineBuffer, head: string, body: string, dropLast: boolean, tail: string, maxBytes: number | undefined): number {
  if (maxBytes !== undefined && body.length > maxBytes) return Buffer.byteLength(head) + Buffer.byteLength(body) - (dropLast ? 1 : 0) + Buffer.byteLength(tail);
  const start = lines.byteLength;
  if (head.length > 0) lines.append(head);
  lines.append(body);
  if (dropLast) lines.truncate(lines.byteLength - 1);
  lines.append(tail);
  const size = lines.byteLength - start;
  if (maxBytes !== undefined && size > maxBytes) lines.truncate(start);
  return size;
}
