/**
 * Time in the mock is kept as nanoseconds since the epoch (bigint) because the Events API speaks
 * RFC 3339 with up to nanosecond precision, and start_time filters must not lose it.
 */
export type Nanos = bigint;

const NS_PER_MS = 1_000_000n;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export function msToNanos(ms: number): Nanos {
  return BigInt(Math.floor(ms)) * NS_PER_MS;
}

/** Parses RFC 3339 with any offset and up to nine fractional digits; undefined when invalid. */
export function parseRfc3339(text: string): Nanos | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(base).getUTCDate() !== day) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const offHours = Number(m[10]);
    const offMinutes = Number(m[11]);
    if (offHours > 23 || offMinutes > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  return msToNanos(base - offsetMinutes * 60_000) + fraction;
}

/** Go's RFC3339Nano in UTC: `2024-12-02T11:54:21.24645983Z`, trailing zeros (and a bare dot) trimmed. */
export function formatRfc3339Nano(ns: Nanos): string {
  const seconds = ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1n : 0n);
  const fraction = ns - seconds * 1_000_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = fraction.toString().padStart(9, '0').replace(/0+$/, '');
  return `${whole}${digits ? `.${digits}` : ''}Z`;
}

/** Whole seconds, as introspect's issued_at. */
export function formatRfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
