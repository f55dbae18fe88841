import { redactUrl } from '../redact-url.js';
import { REDACTED, headerValue, type RecordedBody } from './format.js';

/** Headers that carry credentials or sessions, whatever their value. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|dpop)$|api[-_]?key|token|secret|password|session|signature|credential/i;

/** Body fields (JSON keys, form parameters) whose value is a credential. */
const SECRET_FIELDS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'token',
  'client_secret',
  'secret',
  'password',
  'passwd',
  'api_key',
  'apikey',
  'private_key',
  'assertion',
  'client_assertion',
]);

/** Shorter values (`code=US`) are too likely to be ordinary data to replace wherever they appear. */
const MIN_LEARNED_LENGTH = 8;

export function isSecretField(name: string): boolean {
  return SECRET_FIELDS.has(name.toLowerCase().replace(/-/g, '_'));
}

/**
 * Scrubs everything written to a recording. Known secret values are replaced wherever they appear
 * (raw, URL-encoded or JSON-escaped). The redactor also learns credentials it only sees on the wire (an
 * OAuth2 `access_token` in a response, an `api_token` query parameter), so an echo of them is scrubbed too.
 */
export class Redactor {
  private readonly values = new Set<string>();

  constructor(private readonly extraHeaders: readonly string[] = []) {}

  addSecret(value: string): void {
    if (value === '') return;
    this.values.add(value);
    this.values.add(encodeURIComponent(value));
    this.values.add(JSON.stringify(value).slice(1, -1));
  }

  /** Remembers the values of secret fields in a parsed JSON body. */
  learnFromBody(body: RecordedBody): void {
    if (body.bodyEncoding !== 'json') return;
    walk(body.body, (key, value) => {
      if (isSecretField(key) && typeof value === 'string') this.learn(value);
    });
  }

  /** Remembers the values of the query parameters redact-url.ts hides, in case the API echoes them. */
  learnFromUrl(url: string): void {
    if (!URL.canParse(url)) return;
    const hidden = new URL(redactUrl(url)).searchParams;
    for (const [key, value] of new URL(url).searchParams) {
      if (hidden.get(key) === REDACTED) this.learn(value);
    }
  }

  /** Guessed secrets are scrubbed everywhere only when long enough not to be ordinary data. */
  private learn(value: string): void {
    if (value.length >= MIN_LEARNED_LENGTH && value !== REDACTED) this.addSecret(value);
  }

  text(value: string): string {
    let out = value;
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.values].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  url(url: string): string {
    return this.text(redactUrl(url));
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const extra = new Set(this.extraHeaders.map((h) => h.toLowerCase()));
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      out[this.text(name)] = SECRET_HEADER.test(name) || extra.has(name.toLowerCase()) ? REDACTED : this.text(value);
    }
    return out;
  }

  body(recorded: RecordedBody, headers: Record<string, string>): RecordedBody {
    switch (recorded.bodyEncoding) {
      case 'none':
        return recorded;
      case 'json':
        return { bodyEncoding: 'json', body: this.json(recorded.body) };
      case 'text': {
        const form = /application\/x-www-form-urlencoded/i.test(headerValue(headers, 'content-type') ?? '');
        return { bodyEncoding: 'text', body: this.text(form ? redactForm(String(recorded.body)) : String(recorded.body)) };
      }
      case 'base64':
        return { bodyEncoding: 'base64', body: this.bytes(Buffer.from(String(recorded.body), 'base64')).toString('base64') };
    }
  }

  private json(value: unknown, key?: string): unknown {
    if (typeof value === 'string') return key !== undefined && isSecretField(key) ? REDACTED : this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.json(item));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.text(k)] = this.json(v, k);
      return out;
    }
    return value;
  }

  private bytes(bytes: Buffer): Buffer {
    let out = bytes;
    for (const secret of this.values) out = replaceBytes(out, Buffer.from(secret, 'utf8'), Buffer.from(REDACTED, 'utf8'));
    return out;
  }
}

function walk(value: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v);
      walk(v, visit);
    }
  }
}

function redactForm(text: string): string {
  const params = new URLSearchParams(text);
  const secretKeys = [...params.keys()].filter(isSecretField);
  if (secretKeys.length === 0) return text;
  for (const key of secretKeys) params.set(key, REDACTED);
  return params.toString();
}

function replaceBytes(haystack: Buffer, needle: Buffer, replacement: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle, from); at !== -1; at = haystack.indexOf(needle, from)) {
    parts.push(haystack.subarray(from, at), replacement);
    from = at + needle.length;
  }
  if (from === 0) return haystack;
  parts.push(haystack.subarray(from));
  return Buffer.concat(parts);
}
