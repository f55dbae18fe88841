import { HelError } from '../../errors.js';
import { excerpt, parseAnswer, type HttpFormat } from './format.js';
import { withoutNewline, type OutLine } from './lines.js';

export interface HecOptions {
  /** The configured URL: a bare host (the event endpoint is added) or the full endpoint. */
  url: string;
  /** Indexer acknowledgment channel (a GUID), sent with every request. */
  channel: string;
  host: string;
  sourcetype: string;
  index?: string;
  /** Fail when the token has indexer acknowledgment off, instead of trusting a bare 200. */
  requireAck: boolean;
}

const HEC_EVENT_PATH = '/services/collector/event';
export const HEC_ACK_PATH = '/services/collector/ack';

/** Splunk's HEC status codes (Splunk docs, "Troubleshoot HTTP Event Collector"), with what to do about each. */
const HEC_FIXES: Record<number, string> = {
  1: 'the HEC token is disabled: enable it in Splunk (Settings > Data inputs > HTTP Event Collector)',
  2: 'no token reached Splunk: set global.output.http.auth (type: bearer, token_env / token_file / token_secret)',
  3: 'the Authorization header is malformed: use auth type bearer without a prefix (Hel sends "Splunk <token>")',
  4: 'Splunk does not know this HEC token: check the token value',
  7: "the token may not write to this index: add it to the token's allowed indexes, or change global.output.http.index",
  10: 'the token requires a channel: this should not happen, Hel always sends X-Splunk-Request-Channel',
  11: 'Splunk rejected the request channel; restart Hel to get a new channel',
  14: 'indexer acknowledgment is disabled on this token; enable it, or set require_ack: false',
};

/** The HEC URL for `path` on the configured host (a given endpoint path is kept for events). */
export function hecUrl(configured: string, path: string): string {
  const url = new URL(configured);
  if (path === HEC_EVENT_PATH && url.pathname !== '/' && url.pathname !== '') return url.toString();
  url.pathname = path;
  return url.toString();
}

/** The `{"text": "...", "code": N}` body every HEC answer carries. */
export function hecAnswer(body: Buffer): { text?: string; code?: number; ackId?: number } {
  const parsed = parseAnswer(body);
  if (typeof parsed !== 'object' || parsed === null) return {};
  const o = parsed as Record<string, unknown>;
  return {
    text: typeof o.text === 'string' ? o.text : undefined,
    code: typeof o.code === 'number' ? o.code : undefined,
    ackId: typeof o.ackId === 'number' ? o.ackId : undefined,
  };
}

/**
 * Splunk HTTP Event Collector, JSON event protocol: each line becomes
 * `{"time", "host", "source", "sourcetype", ["index",] "event": <line>}`, one object after another.
 * With indexer acknowledgment on the token, the answer carries an ackId that the ack poller follows.
 */
export function splunkHecFormat(options: HecOptions): HttpFormat {
  const prefixes = new Map<string, Buffer>();
  const prefixOf = (line: OutLine): string => {
    const fields: Record<string, unknown> = { host: options.host, source: line.source, sourcetype: options.sourcetype };
    if (options.index !== undefined) fields.index = options.index;
    return JSON.stringify(fields).slice(0, -1);
  };
  const close = Buffer.from('}\n');
  return {
    defaultScheme: 'Splunk',
    url: hecUrl(options.url, HEC_EVENT_PATH),
    encode(lines) {
      const parts: Buffer[] = [];
      for (const line of lines) {
        let prefix = prefixes.get(line.source);
        if (prefix === undefined) {
          prefix = Buffer.from(prefixOf(line));
          prefixes.set(line.source, prefix);
        }
        // Seconds with millisecond precision, as HEC expects; without a time Splunk uses its receipt time.
        if (line.time !== undefined) parts.push(Buffer.from(`{"time":${(line.time / 1000).toFixed(3)},`), prefix.subarray(1));
        else parts.push(prefix);
        parts.push(Buffer.from(',"event":'), withoutNewline(line), close);
      }
      return { headers: { 'content-type': 'application/json', 'x-splunk-request-channel': options.channel }, body: Buffer.concat(parts) };
    },
    accepted(response) {
      const answer = hecAnswer(response.body);
      if (answer.code !== undefined && answer.code !== 0) {
        return {
          kind: 'rejected',
          error: new HelError('HEL_OUTPUT', `Splunk HEC answered ${response.status} with code ${answer.code} ("${answer.text ?? ''}")`, {
            status: response.status,
            hint: HEC_FIXES[answer.code] ?? "see Splunk's HEC status codes",
          }),
        };
      }
      if (answer.ackId !== undefined) return { kind: 'ack', ackId: answer.ackId };
      if (options.requireAck) {
        return {
          kind: 'rejected',
          error: new HelError('HEL_OUTPUT', 'Splunk HEC accepted the batch without an ackId: indexer acknowledgment is off for this token', {
            hint: 'enable indexer acknowledgment on the HEC token, or set global.output.http.require_ack: false to trust the 200',
          }),
        };
      }
      return { kind: 'delivered', duplicates: 0 };
    },
    refused(status, body) {
      const answer = hecAnswer(body);
      if (answer.code === undefined)
        return { message: `Splunk HEC refused the batch: HTTP ${status} (${excerpt(body) || 'no body'})`, hint: 'check the URL: it should be the HEC port (8088 by default) of a Splunk instance' };
      return { message: `Splunk HEC refused the batch: HTTP ${status}, code ${answer.code} ("${answer.text ?? ''}")`, hint: HEC_FIXES[answer.code] ?? "see Splunk's HEC status codes" };
    },
  };
}
