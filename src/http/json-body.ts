import { HelError } from '../errors.js';
import type { HttpResponse } from './transport.js';
import { bodyText, type InvalidUtf8 } from './utf8.js';

/**
 * The JSON value of a response body (an empty body is `{}`); bytes that are not UTF-8 as
 * `invalidUtf8` says (engine/poll.ts passes the source's on_invalid_utf8). A body that is not JSON is a
 * HEL_RESPONSE_PARSE error that says what the bytes were: compressed (naming the encoding), or
 * simply not JSON, with its size. Never includes the body itself.
 */
export function parseJsonBody(response: HttpResponse, context: { source: string; url: string; attempt?: number }, invalidUtf8: InvalidUtf8 = 'replace'): unknown {
  if (response.parsed !== undefined) return response.parsed;
  if (response.body.length === 0) return {};
  const compressed = isCompressed(response);
  const text = compressed ? response.body.toString('latin1') : bodyText(response.body, invalidUtf8, { source: context.source, url: context.url, status: response.status });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const encoding = response.headers['content-encoding']?.trim().toLowerCase();
    const gzipMagic = response.body.length >= 2 && response.body[0] === 0x1f && response.body[1] === 0x8b;
    const what =
      encoding !== undefined && encoding !== '' && encoding !== 'identity'
        ? `the response is ${encoding}-encoded (Content-Encoding: ${encoding}), which hel does not decode (${response.body.length} bytes)`
        : gzipMagic
          ? `the response is gzip-compressed data without a Content-Encoding header, not JSON (${response.body.length} bytes)`
          : `the response is not valid JSON (${response.body.length} bytes)`;
    const hint =
      encoding !== undefined && encoding !== '' && encoding !== 'identity'
        ? "remove Accept-Encoding from the source's headers, or ask the API (or proxy) for an uncompressed response"
        : gzipMagic
          ? 'a proxy or the API compresses the body without saying so; ask for an uncompressed response'
          : 'the API answered with something other than JSON; a truncated or garbled body is retried, so if it persists check the URL';
    throw new HelError('HEL_RESPONSE_PARSE', what, { source: context.source, url: context.url, attempt: context.attempt, status: response.status, hint });
  }
}

/** Compressed bytes hel does not decode: said so by Content-Encoding, or gzip's magic number. */
export function isCompressed(response: HttpResponse): boolean {
  const encoding = response.headers['content-encoding']?.trim().toLowerCase();
  return (encoding !== undefined && encoding !== '' && encoding !== 'identity') || (response.body.length >= 2 && response.body[0] === 0x1f && response.body[1] === 0x8b);
}
