import type { Emitter } from '../bus/event-bus.js';
import { isHelError } from '../errors.js';
import { describeError, errorLogFields } from '../errors/format.js';
import type { Logger } from '../log/logger.js';
import { PassThroughStore } from '../state/pass-through.js';
import type { Checkpoint, StateStore } from '../state/store.js';
import type { Degradation } from './degradation.js';

/** What the store reports on the runtime's event bus (src/bus). */
export interface CheckpointSkipEventMap {
  /** A state write failed and its checkpoint was skipped (global.degradation.emit_without_checkpoint). */
  'state.checkpoint_skipped': { source: string };
}

/**
 * `global.degradation.emit_without_checkpoint`: a checkpoint the store fails to write (disk full,
 * I/O error, database unreachable) is skipped and the source goes on from its position in memory.
 * Nothing is lost while hel runs; what was delivered since the last written checkpoint is delivered
 * again after a restart. Only write failures are skipped: a deleted, replaced or damaged state
 * file, a lost lease or a locked file still stop the source, because going on would be a guess.
 */
export class CheckpointSkippingStore extends PassThroughStore {
  constructor(
    inner: StateStore,
    private readonly degradation: Degradation,
    private readonly logger: Logger,
    private readonly events?: Emitter<CheckpointSkipEventMap>,
  ) {
    super(inner);
  }

  override async commit(source: string, checkpoint: Checkpoint): Promise<void> {
    try {
      await this.inner.commit(source, checkpoint);
    } catch (err) {
      if (!isWriteFailure(err)) throw err;
      this.events?.emit('state.checkpoint_skipped', { source });
      if (this.degradation.checkpointSkipped(source)) {
        this.logger.error(
          { source, ...errorLogFields(err), degraded: true },
          `state write failed, checkpoint SKIPPED (global.degradation.emit_without_checkpoint): ${describeError(err)}. Polling goes on from the position in memory, ${this.degradation.config.reduced_frequency_multiplier} times less often; if hel stops now, the events delivered since the last written checkpoint are delivered again`,
        );
      }
      return;
    }
    if (this.degradation.checkpointWritten(source)) this.logger.warn({ source }, 'state writes work again: checkpoint written, no longer degraded');
  }
}

/** A state write that failed on I/O (it carries the driver's error), not an anomaly hel detected itself. */
function isWriteFailure(err: unknown): err is Error & { code: string } {
  return isHelError(err) && err.code === 'HEL_STATE' && err.cause !== undefined;
}
