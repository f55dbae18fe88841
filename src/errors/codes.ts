import { ExitCode, type HelErrorCode } from '../errors.js';

/** Every code a failure can be reported with: Hel's own, and HEL_UNEXPECTED for anything else (a bug). */
export type ReportedCode = HelErrorCode | 'HEL_UNEXPECTED';

export interface ErrorCodeInfo {
  /** Exit status of a command that fails with this code. */
  exit: number;
  /** Whether Hel tries again by itself before the error reaches the user, and where. */
  retried: 'yes' | 'by status' | 'by the output' | 'no' | 'not a failure';
  /** The docs section that explains it, relative to docs/. */
  docs: string;
}

const { usage, failure } = ExitCode;

/**
 * The one table of error codes: the CLI takes exit statuses from it, and docs/errors.md's table is
 * generated from it (test/docs/errors-table.test.ts), so the two cannot disagree.
 */
export const ERROR_CODES: Readonly<Record<ReportedCode, ErrorCodeInfo>> = {
  HEL_CONFIG: { exit: usage, retried: 'no', docs: 'configuration.md#checking-a-config' },
  HEL_USAGE: { exit: usage, retried: 'no', docs: 'cli.md' },
  HEL_SECRET: { exit: usage, retried: 'no', docs: 'secrets.md#errors-exit-2' },
  HEL_INPUT: { exit: usage, retried: 'no', docs: 'record-replay.md#when-a-request-has-no-recording' },
  HEL_HTTP_STATUS: { exit: failure, retried: 'by status', docs: 'resilience.md#what-is-retried' },
  HEL_NETWORK: { exit: failure, retried: 'yes', docs: 'resilience.md#what-is-retried' },
  HEL_TLS: { exit: failure, retried: 'no', docs: 'resilience.md#what-is-retried' },
  HEL_TIMEOUT: { exit: failure, retried: 'yes', docs: 'resilience.md#keys' },
  HEL_RESPONSE_PARSE: { exit: failure, retried: 'yes', docs: 'resilience.md#malformed-responses' },
  HEL_RESPONSE_TOO_LARGE: { exit: failure, retried: 'no', docs: 'resilience.md#response-size-cap' },
  HEL_LINE_TOO_LARGE: { exit: failure, retried: 'no', docs: 'configuration.md#every-key' },
  HEL_PAGINATION: { exit: failure, retried: 'no', docs: 'resilience.md#where-pagination-stops' },
  HEL_AUTH: { exit: failure, retried: 'no', docs: 'resilience.md#authentication' },
  HEL_CIRCUIT_OPEN: { exit: failure, retried: 'no', docs: 'resilience.md#circuit-breaker' },
  HEL_STATE: { exit: failure, retried: 'no', docs: 'state.md' },
  HEL_STATE_LOCKED: { exit: failure, retried: 'no', docs: 'output-and-state.md#state' },
  HEL_LEASE_LOST: { exit: failure, retried: 'no', docs: 'fleet.md#what-a-lease-protects-fencing' },
  HEL_OUTPUT: { exit: failure, retried: 'no', docs: 'delivery.md' },
  HEL_OUTPUT_UNAVAILABLE: { exit: failure, retried: 'by the output', docs: 'backpressure.md' },
  HEL_REPLAY_MISMATCH: { exit: failure, retried: 'no', docs: 'record-replay.md#when-a-request-has-no-recording' },
  HEL_HOOK: { exit: failure, retried: 'no', docs: 'hooks.md#errors' },
  HEL_HOOK_TIMEOUT: { exit: failure, retried: 'no', docs: 'hooks.md#errors' },
  HEL_HOOK_MEMORY: { exit: failure, retried: 'no', docs: 'hooks.md#errors' },
  HEL_HOOK_DENIED: { exit: failure, retried: 'no', docs: 'hooks.md#errors' },
  HEL_CANCELLED: { exit: failure, retried: 'not a failure', docs: 'cli.md' },
  HEL_UNEXPECTED: { exit: failure, retried: 'no', docs: 'errors.md#codes' },
};

/** The exit status for a failure reported with `code` (an unknown code is a bug: exit 1). */
export function exitCodeOf(code: string): number {
  return (ERROR_CODES as Record<string, ErrorCodeInfo | undefined>)[code]?.exit ?? failure;
}
