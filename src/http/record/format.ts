import { createHash } from 'node:crypto';

/**
 * The on-disk recording format: one pretty-printed JSON file per request/response pair,
 * `<dir>/<source folder>/<seq>.json`. Described field by field in docs/record-replay.md.
 */
export const RECORDING_FORMAT = 'hel-recording/1';

/** Replaces every redacted value; a recorded string containing it matches any value on replay. */
export const REDACTED = 'REDACTED';

/**
 * How `body` is stored: `none` = the request had no body (`body` is null); `json` = the parsed
 * JSON value; `text` = a UTF-8 string; `base64` = bytes that are not valid UTF-8.
 */
/**
 * The most a recording file may hold when read back: one response (itself capped by
 * max_response_bytes) pretty-printed or in base64, with room to spare. A bound, not a target.
 */
export const MAX_RECORDING_BYTES = 256 * 1024 * 1024;

type BodyEncoding = 'none' | 'json' | 'text' | 'base64';

export interface RecordedBody {
  bodyEncoding: BodyEncoding;
  body: unknown;
}

export interface RecordedRequest extends RecordedBody {
  method: string;
  url: string;
  headers: Record<string, string>;
}

interface RecordedResponse extends RecordedBody {
  status: number;
  headers: Record<string, string>;
}

export interface Recording {
  format: typeof RECORDING_FORMAT;
  source: string;
  seq: number;
  request: RecordedRequest;
  response: RecordedResponse;
  /** Read from a Helr recording, which keeps no request: served in recorded order, whatever is asked. */
  inOrder?: boolean;
}

const RECORDING_FILE = /^(\d+)\.json$/;

/**
 * A source's folder name: the name itself when it is made of letters, digits, . _ - (as Helr's
 * names are), else its safe characters with `~` and a hash of the whole name, so "a b" and "a_b"
 * never share a folder and no name reaches outside `dir` (`~` is in no plain name).
 */
export function sourceFolder(source: string): string {
  const safe = helrSourceFolder(source);
  if (safe === source && !/^\.*$/.test(source)) return source;
  return `${safe}~${createHash('sha256').update(source).digest('hex').slice(0, 8)}`;
}

/** The folder Helr's --record-dir uses: every character outside [A-Za-z0-9._-] becomes _. */
export function helrSourceFolder(source: string): string {
  return source.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** `0001.json`: zero-padded so a directory listing reads in order (numbering continues past 9999). */
export function recordingFileName(seq: number): string {
  return `${String(seq).padStart(4, '0')}.json`;
}

/** The sequence number of a recording file name, or undefined for any other file. */
export function seqOfFileName(name: string): number | undefined {
  const m = RECORDING_FILE.exec(name);
  return m ? Number(m[1]) : undefined;
}

function isJsonContentType(contentType: string | undefined): boolean {
  return contentType === undefined || /[/+]json\b/i.test(contentType);
}

function isUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

/**
 * JSON is stored parsed, so a recording reads (and diffs) like the API's documentation. Replay
 * serves it re-serialized: whitespace may differ from the original bytes, the parsed value does not.
 */
export function encodeBody(bytes: Buffer | undefined, contentType: string | undefined): RecordedBody {
  if (bytes === undefined) return { bodyEncoding: 'none', body: null };
  if (!isUtf8(bytes)) return { bodyEncoding: 'base64', body: bytes.toString('base64') };
  const text = bytes.toString('utf8');
  if (text.trim() !== '' && isJsonContentType(contentType)) {
    try {
      return { bodyEncoding: 'json', body: JSON.parse(text) as unknown };
    } catch {
      // Not JSON after all: kept as text below.
    }
  }
  return { bodyEncoding: 'text', body: text };
}

/** The bytes a recorded body stands for; undefined for `none`. */
export function decodeBody(recorded: RecordedBody): Buffer | undefined {
  switch (recorded.bodyEncoding) {
    case 'none':
      return undefined;
    case 'json':
      return Buffer.from(JSON.stringify(recorded.body), 'utf8');
    case 'text':
      return Buffer.from(String(recorded.body), 'utf8');
    case 'base64':
      return Buffer.from(String(recorded.body), 'base64');
  }
}

/** A header's value by case-insensitive name. */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}
