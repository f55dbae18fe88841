import { HelError } from '../errors.js';

const RELATIVE = /^(\d+)([dhm])$/;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };

/** ISO 8601 (a bare date is midnight UTC) or a relative "30d" / "12h" / "90m" before `now`. */
export function parseTimeArg(option: string, value: string, now: number): number {
  const rel = RELATIVE.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const ms = Date.parse(value);
  if (/^\d{4}-\d\d-\d\d/.test(value) && !Number.isNaN(ms)) return ms;
  throw new HelError('HEL_USAGE', `${option}: cannot read ${JSON.stringify(value)} as a time`, {
    hint: 'use ISO 8601 such as 2026-03-01 or 2026-03-01T12:00:00Z, or a relative time such as 30d or 12h',
  });
}
