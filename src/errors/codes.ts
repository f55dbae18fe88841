import { ExitCode, type HelErrorCode } from '../errors.js';

/** Every code a failure can be reported with: Hel's own, and HEL_UNEXPECTED for anything else (a bug). */
export type ReportedCode = HelErrorCode | 'HEL_UNEXPECTED';

export interface ErrorCodeInfo {
  /** Exit status of a command that fails with this code. */
  exit: number;
  /** Whether Hel tries again by itself before the error reaches the user, and where. */
  retried: 'yes' | 'by status' | 'by the output' | 'no' | 'not a failure';
  /**
   * The status the REST API answers with when an action it runs for a client (`POST …/poll`,
   * `POST /api/v1/reload`) fails with this code: 502/504 when the vendor's API failed or answered
   * something Hel refuses, 409 when another owner holds the source or the state, 503 when the same
   * request may succeed later, 500 when Hel's own config, credentials, hooks, state or output are at
   * fault (the config file lives on the server, so it is never the client's request).
   */
  http: number;
  /** The docs section that explains it, relative to docs/. */
  docs: string;
}

const { usage, failure } = ExitCode;

/**
 * The one table of error codes: the CLI takes exit statuses from it, and docs/errors.md's table is
 * generated from it (test/e2e/docs/errors-table.test.ts), so the two cannot disagree.
 */
export const ERROR_CODES: Readonly<Record<ReportedCode, ErrorCodeInfo>> = {
  HEL_CONFIG: { exit: usage, retried: 'no', http: 500, docs: 'configuration.md#checking-a-config' },
  HEL_USAGE: { exit: usage, retried: 'no', http: 400, docs: 'cli.md' },
  HEL_SECRET: { exit: usage, retried: 'no', http: 500, docs: 'secrets.md#errors-exit-2' },
  HEL_INPUT: { exit: usage, retried: 'no', http: 500, docs: 'record-replay.md#when-a-request-has-no-recording' },
  HEL_HTTP_STATUS: { exit: failure, retried: 'by status', http: 502, docs: 'resilience.md#what-is-retried' },
  HEL_NETWORK: { exit: failure, retried: 'yes', http: 502, docs: 'resilience.md#what-is-retried' },
  HEL_TLS: { exit: failure, retried: 'no', http: 502, docs: 'resilience.md#what-is-retried' },
  HEL_TIMEOUT: { exit: failure, retried: 'yes', http: 504, docs: 'resilience.md#keys' },
  HEL_RESPONSE_PARSE: { exit: failure, retried: 'yes', http: 502, docs: 'resilience.md#malformed-responses' },
  HEL_RESPONSE_TOO_LARGE: { exit: failure, retried: 'no', http: 502, docs: 'resilience.md#response-size-cap' },
  HEL_LINE_TOO_LARGE: { exit: failure, retried: 'no', http: 502, docs: 'configuration.md#every-key' },
  HEL_PAGINATION: { exit: failure, retried: 'no', http: 502, docs: 'resilience.md#where-pagination-stops' },
  HEL_AUTH: { exit: failure, retried: 'no', http: 502, docs: 'resilience.md#authentication' },
  HEL_CIRCUIT_OPEN: { exit: failure, retried: 'no', http: 409, docs: 'resilience.md#circuit-breaker' },
  HEL_STATE: { exit: failure, retried: 'no', http: 500, docs: 'state.md' },
  HEL_STATE_LOCKED: { exit: failure, retried: 'no', http: 409, docs: 'output-and-state.md#state' },
  HEL_LEASE_LOST: { exit: failure, retried: 'no', http: 409, docs: 'fleet.md#what-a-lease-protects-fencing' },
  HEL_OUTPUT: { exit: failure, retried: 'no', http: 500, docs: 'delivery.md' },
  HEL_OUTPUT_UNAVAILABLE: { exit: failure, retried: 'by the output', http: 503, docs: 'backpressure.md' },
  HEL_REPLAY_MISMATCH: { exit: failure, retried: 'no', http: 502, docs: 'record-replay.md#when-a-request-has-no-recording' },
  HEL_HOOK: { exit: failure, retried: 'no', http: 500, docs: 'hooks.md#errors' },
  HEL_HOOK_TIMEOUT: { exit: failure, retried: 'no', http: 500, docs: 'hooks.md#errors' },
  HEL_HOOK_MEMORY: { exit: failure, retried: 'no', http: 500, docs: 'hooks.md#errors' },
  HEL_HOOK_DENIED: { exit: failure, retried: 'no', http: 500, docs: 'hooks.md#errors' },
  HEL_CANCELLED: { exit: failure, retried: 'not a failure', http: 503, docs: 'cli.md' },
  HEL_UNEXPECTED: { exit: failure, retried: 'no', http: 500, docs: 'errors.md#codes' },
};

/** The exit status for a failure reported with `code` (an unknown code is a bug: exit 1). */
export function exitCodeOf(code: string): number {
  return (ERROR_CODES as Record<string, ErrorCodeInfo | undefined>)[code]?.exit ?? failure;
}

/** The status the REST API answers with when an action it runs fails with `code`. */
export function httpStatusOf(code: ReportedCode): number {
  return ERROR_CODES[code].http;
}
