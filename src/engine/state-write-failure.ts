import { isHelError } from '../errors.js';

/**
 * A state write that failed in the backend (disk full, a lost connection): the error wraps the
 * backend's own. An anomaly the store detected itself (the state file deleted or replaced, a newer
 * schema) carries no such cause and is never tolerated by on_state_write_error: skip_checkpoint.
 */
export function isStateWriteFailure(err: unknown): boolean {
  return isHelError(err) && err.code === 'HEL_STATE' && err.cause !== undefined && !isHelError(err.cause);
}
