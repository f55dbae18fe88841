import type { ReadBackResult } from './read-back.js';

/**
 * The structured sink interface the engine is moving to (issue #14): a sink receives one batch per
 * page with each line's dedupe id and time, so a network sink gets message keys and timestamps
 * without parsing NDJSON again. `flush` is the acknowledgement point: the engine commits a page's
 * cursor only after the flush that covers it has resolved.
 */
export interface SinkBatch {
  /** The source's name (its key under `sources:`). */
  readonly source: string;
  /** Whole NDJSON lines as UTF-8, each ending in "\n". Reused once `write` resolves: copy to keep. */
  readonly bytes: Uint8Array;
  /** Per line, the offset in `bytes` just after its "\n". */
  readonly lineEnds: readonly number[];
  /** Per line, the event's dedupe id (the value at `dedupe.id_path`), when the source has one. */
  readonly ids: readonly (string | undefined)[];
  /** Per line, the event's time in milliseconds since the epoch, when known. */
  readonly times: readonly (number | undefined)[];
}

export interface BatchSink {
  readonly description: string;
  /** Hands a batch over. It may be buffered, but it is copied or sent before the promise resolves. */
  write(batch: SinkBatch, signal: AbortSignal): Promise<void>;
  /**
   * Resolves when every batch written before it is acknowledged durably by the receiver (fsync for a
   * file, the kernel for a pipe, a 2xx / HEC ack / per-item bulk result / JetStream PubAck for a
   * network sink). Rejects with a HelError when it cannot be.
   *
   * `source` names the caller (the engine passes the source whose pages wait on it). A sink that
   * tracks acknowledgements per batch (NATS) then settles only that source's batches: one source's
   * failure neither fails nor discards another's. Without it, the flush covers every source.
   */
  flush(signal: AbortSignal, source?: string): Promise<void>;
  close(): Promise<void>;
  /** Whether the sink can currently accept and acknowledge batches (for /readyz). */
  healthy(): boolean;
  /** Why it is not healthy, in one line (for /readyz and the status page). */
  problem?(): string | undefined;
  /**
   * Optional, for a sink that can read back what it wrote (a file): an opaque mark of how far its
   * output is durable. The engine calls it after a flush and saves it with the checkpoint; every
   * line written before the call lies before the mark.
   */
  position?(signal: AbortSignal): Promise<string>;
  /**
   * Optional, with `position`: calls `visit` with every whole line written after `mark` (in the
   * output the mark names, which may be another fleet instance's, and the ones rotated after it),
   * and resolves with the mark of the end of what it read, or why it could read nothing (the output
   * is gone, or cannot be read from here). Bounded: a tail longer than the sink's read-back cap is
   * an error, not a long stall.
   */
  readBack?(mark: string, visit: (line: string) => void, signal: AbortSignal): Promise<ReadBackResult>;
}
