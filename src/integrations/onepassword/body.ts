/** Retention of the Events API: older events cannot be fetched (reference §1). */
const RETENTION_DAYS = 120;

export interface BodyProblem {
  path: string[];
  message: string;
  hint?: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function isRfc3339(value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

/** Checks a ResetCursor body before any request: limit 1–1000, RFC 3339 times, start before end. */
export function checkOnePasswordBody(body: Record<string, unknown>): BodyProblem[] {
  const problems: BodyProblem[] = [];
  const { limit, start_time: start, end_time: end } = body;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)) {
    problems.push({
      path: ['limit'],
      message: `limit ${JSON.stringify(limit)} is out of range: the Events API accepts 1-1000 and answers 400 otherwise`,
      hint: 'use limit: 1000 for the fewest requests',
    });
  }
  for (const [key, value] of [
    ['start_time', start],
    ['end_time', end],
  ] as const) {
    if (value !== undefined && !isRfc3339(value)) {
      problems.push({ path: [key], message: `${key} ${JSON.stringify(value)} is not an RFC 3339 time`, hint: 'e.g. "2025-01-01T00:00:00Z"' });
    }
  }
  if (isRfc3339(start) && isRfc3339(end) && Date.parse(start) > Date.parse(end)) {
    problems.push({ path: ['start_time'], message: 'start_time is after end_time' });
  }
  return problems;
}

/**
 * A start older than the retention window is valid: the API accepts it and begins at its oldest
 * retained event (reference §7.3), as Elastic's default of 2020-01-01 relies on. Worth a warning,
 * because the events before the window are not coming.
 */
export function retentionWarning(start: unknown, now: number): string | undefined {
  if (!isRfc3339(start) || now - Date.parse(start) <= RETENTION_DAYS * DAY_MS) return undefined;
  return `start_time ${start} is more than ${RETENTION_DAYS} days ago: the Events API keeps ${RETENTION_DAYS} days and starts at its oldest retained event (older events are only in the Activity Log in 1Password)`;
}

const DAY_MS = 86_400_000;
const RELATIVE = /^-(\d+)(d|h|m)$/;
const UNIT_MS = { d: DAY_MS, h: 3_600_000, m: 60_000 } as const;

/** The RFC 3339 time a short-form start_time stands for: `-30d`, `-12h` and `-90m` count back from now; anything else is returned unchanged. */
export function resolveStartTime(value: string, now: number): string {
  const m = RELATIVE.exec(value);
  if (!m) return value;
  return new Date(now - Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]).toISOString();
}
