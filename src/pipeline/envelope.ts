import { compilePath, getPath, type CompiledPath } from './path.js';

const FALLBACK_TIME_FIELDS = ['published', 'timestamp', 'ts', 'created_at', 'time'].map(compilePath);

export interface EnvelopeOptions {
  format: 'envelope' | 'raw';
  labelKey: string;
  labelValue: string;
  /** Dotted path of the event time; else the usual field names; else the time of collection. */
  timestampPath?: string;
  /** Constant labels for the envelope's `meta` (raw format: extra top-level keys). */
  meta?: Record<string, string>;
}

/**
 * Serialises events as NDJSON lines. The envelope is compatible with the original Hel:
 * {"ts","<label_key>":"<label_value>","endpoint","event":{raw},"meta":{}}.
 * The constant parts are encoded once per source, so each event costs one JSON.stringify.
 */
export class LineEncoder {
  private readonly labelPart: string;
  private readonly metaJson: string;
  private readonly timePaths: CompiledPath[];
  /** A poll's pages share one endpoint: its JSON is kept instead of re-encoded per event. */
  private endpoint = '';
  private endpointJson = '""';

  constructor(private readonly options: EnvelopeOptions) {
    const meta = Object.entries(options.meta ?? {});
    this.labelPart = [[options.labelKey, options.labelValue], ...(options.format === 'raw' ? meta : [])].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
    this.metaJson = JSON.stringify(Object.fromEntries(meta));
    this.timePaths = options.timestampPath ? [compilePath(options.timestampPath)] : FALLBACK_TIME_FIELDS;
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

  encode(event: unknown, endpoint: string, collectedAt: string): string {
    return this.encodeTimed(event, endpoint, collectedAt, this.options.format === 'raw' ? undefined : this.eventTime(event));
  }

  /** `encode` for a caller that already has the event's `eventTime`, so it is looked up once. */
  encodeTimed(event: unknown, endpoint: string, collectedAt: string, eventTime: string | undefined): string {
    const json = JSON.stringify(event) ?? 'null';
    if (this.options.format === 'raw') {
      if (json.length > 2 && json.startsWith('{')) return `{${json.slice(1, -1)},${this.labelPart}}\n`;
      if (json === '{}') return `{${this.labelPart}}\n`;
      return `{"event":${json},${this.labelPart}}\n`;
    }
    if (endpoint !== this.endpoint) {
      this.endpoint = endpoint;
      this.endpointJson = JSON.stringify(endpoint);
    }
    return `{"ts":${JSON.stringify(eventTime ?? collectedAt)},${this.labelPart},"endpoint":${this.endpointJson},"event":${json},"meta":${this.metaJson}}\n`;
  }
}
