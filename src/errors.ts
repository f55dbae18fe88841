/**
 * Hel's error taxonomy. Every failure the CLI may print or a metric may count carries a stable
 * `code`; the CLI turns it into one human line at the edge (see cli/report-error.ts).
 * Guards test a brand field rather than `instanceof`, so they survive duplicate module copies.
 */
export type HelErrorCode =
  | 'HEL_CONFIG'
  | 'HEL_USAGE'
  | 'HEL_SECRET'
  | 'HEL_HTTP_STATUS'
  | 'HEL_NETWORK'
  /** The TLS handshake failed: an untrusted certificate, a refused client certificate, no common version. Not retried. */
  | 'HEL_TLS'
  | 'HEL_TIMEOUT'
  | 'HEL_RESPONSE_PARSE'
  | 'HEL_RESPONSE_TOO_LARGE'
  | 'HEL_LINE_TOO_LARGE'
  | 'HEL_PAGINATION'
  | 'HEL_CIRCUIT_OPEN'
  | 'HEL_STATE'
  | 'HEL_STATE_LOCKED'
  | 'HEL_LEASE_LOST'
  | 'HEL_OUTPUT'
  /** The output's receiver is unreachable or did not acknowledge in time: retrying may succeed. */
  | 'HEL_OUTPUT_UNAVAILABLE'
  | 'HEL_REPLAY_MISMATCH'
  | 'HEL_CANCELLED'
  | 'HEL_AUTH'
  | 'HEL_INPUT'
  /** A JS hook threw, returned a value of the wrong shape, or its script does not load. */
  | 'HEL_HOOK'
  /** A JS hook call ran longer than global.hooks.timeout_secs and was stopped. */
  | 'HEL_HOOK_TIMEOUT'
  /** A JS hook call allocated more than global.hooks.memory_limit_mb and was stopped. */
  | 'HEL_HOOK_MEMORY'
  /** A JS hook used fetch(), require() or process, which global.hooks does not allow. */
  | 'HEL_HOOK_DENIED';

export interface ErrorContext {
  source?: string;
  /** Always without secrets: see source/redact-url.ts. */
  url?: string;
  attempt?: number;
  status?: number;
  /** What the user can do about it, from the troubleshooting table. */
  hint?: string;
  /** The server rejected the stored position the request carried (see http/cursor-rejection.ts). */
  cursorRejected?: boolean;
}

export class HelError extends Error {
  readonly isHelError = true;
  readonly code: HelErrorCode;
  readonly context: ErrorContext;

  constructor(code: HelErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HelError';
    this.code = code;
    this.context = context;
  }
}

export function isHelError(value: unknown): value is HelError {
  return typeof value === 'object' && value !== null && (value as { isHelError?: unknown }).isHelError === true;
}

/** Raised when an AbortSignal stops a wait or a request: shutdown, not failure. */
export function isCancellation(value: unknown): boolean {
  if (isHelError(value)) return value.code === 'HEL_CANCELLED';
  return value instanceof Error && value.name === 'AbortError';
}

export function cancelled(source?: string): HelError {
  return new HelError('HEL_CANCELLED', 'cancelled', source === undefined ? {} : { source });
}

/** Exit codes: stable; which error code gives which is in errors/codes.ts (docs/errors.md). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;
