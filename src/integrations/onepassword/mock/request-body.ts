import { parseRfc3339, type Nanos } from './time.js';

export type EventRequest = { kind: 'reset'; limit: number; start: Nanos | undefined; end: Nanos | undefined } | { kind: 'cursor'; cursor: string } | { kind: 'invalid'; reason: string };

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const RESET_FIELDS = ['limit', 'start_time', 'end_time'];

/**
 * Reads a ResetCursor or Cursor body (reference §7). The body is JSON whatever the Content-Type,
 * because the official Go clients send none. Null and 0 count as absent, as Go zero values would.
 */
export function parseEventRequest(raw: string, strict: boolean): EventRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', reason: raw.trim() === '' ? 'empty body' : 'body is not JSON' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', reason: 'body is not a JSON object' };
  const fields = body as Record<string, unknown>;

  if (fields.cursor !== undefined && fields.cursor !== null && fields.cursor !== '') {
    if (typeof fields.cursor !== 'string') return { kind: 'invalid', reason: 'cursor is not a string' };
    if (strict && RESET_FIELDS.some((key) => fields[key] !== undefined)) return { kind: 'invalid', reason: 'cursor combined with ResetCursor fields (strict mode)' };
    return { kind: 'cursor', cursor: fields.cursor };
  }

  let limit = DEFAULT_LIMIT;
  if (fields.limit !== undefined && fields.limit !== null && fields.limit !== 0) {
    if (typeof fields.limit !== 'number' || !Number.isInteger(fields.limit) || fields.limit < 1 || fields.limit > MAX_LIMIT) {
      return { kind: 'invalid', reason: `limit ${JSON.stringify(fields.limit)} is not an integer in 1-${MAX_LIMIT}` };
    }
    limit = fields.limit;
  }
  const start = readTime(fields, 'start_time');
  const end = readTime(fields, 'end_time');
  if (start === 'invalid' || end === 'invalid') return { kind: 'invalid', reason: 'start_time or end_time is not RFC 3339' };
  if (start !== undefined && end !== undefined && start > end) return { kind: 'invalid', reason: 'start_time is after end_time' };
  return { kind: 'reset', limit, start, end };
}

function readTime(fields: Record<string, unknown>, key: string): Nanos | undefined | 'invalid' {
  const value = fields[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return 'invalid';
  return parseRfc3339(value) ?? 'invalid';
}
