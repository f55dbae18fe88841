import { isUtf8 } from 'node:buffer';
import { HelError } from '../errors.js';

export type InvalidUtf8 = 'replace' | 'escape' | 'fail';

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none (RFC 3629 ranges). */
function sequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  const [length, low, high] =
    b >= 0xc2 && b <= 0xdf
      ? [2, 0x80, 0xbf]
      : b === 0xe0
        ? [3, 0xa0, 0xbf]
        : b === 0xed
          ? [3, 0x80, 0x9f]
          : b >= 0xe1 && b <= 0xef
            ? [3, 0x80, 0xbf]
            : b === 0xf0
              ? [4, 0x90, 0xbf]
              : b === 0xf4
                ? [4, 0x80, 0x8f]
                : b >= 0xf1 && b <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : [0, 0, 0];
  if (length === 0 || i + length > bytes.length) return 0;
  const second = bytes[i + 1]!;
  if (second < low || second > high) return 0;
  for (let k = 2; k < length; k++) if ((bytes[k + i]! & 0xc0) !== 0x80) return 0;
  return length;
}

/** Every byte that is not part of valid UTF-8 becomes the four characters `\xNN`, written so they stay text inside a JSON string. */
function escapeInvalid(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    parts.push(bytes.subarray(start, i), Buffer.from(`\\\\x${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`, 'latin1'));
    i += 1;
    start = i;
  }
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts);
}

function firstInvalid(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

/**
 * A response body as text, by the source's `on_invalid_utf8`: valid UTF-8 as it is; otherwise
 * `replace` (U+FFFD), `escape` (`\xNN`) or `fail` (HEL_RESPONSE_PARSE, which `on_parse_error` then handles).
 */
export function bodyText(bytes: Buffer, mode: InvalidUtf8, context: { source: string; url: string; status?: number }): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  if (mode === 'replace') return bytes.toString('utf8');
  if (mode === 'escape') return escapeInvalid(bytes).toString('utf8');
  throw new HelError('HEL_RESPONSE_PARSE', `the response is not valid UTF-8 (first bad byte at offset ${firstInvalid(bytes)} of ${bytes.length})`, {
    ...context,
    hint: 'set on_invalid_utf8: replace (U+FFFD) or escape (\\xNN) for this source to keep such events',
  });
}
