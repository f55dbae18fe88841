/** What the output wrappers report, for metrics; every member is optional. */
export interface OutputObserver {
  /** Events discarded by `strategy: drop`: queue full, too old, or still queued at shutdown. */
  onOutputDropped?(source: string, events: number, reason: 'backpressure' | 'max_queue_age' | 'shutdown'): void;
  /** A write or flush started to exceed the stall threshold (true) or the stalled operations completed (false). */
  onOutputStall?(stalled: boolean): void;
  /** A delivery attempt failed and is retried. */
  onOutputRetry?(): void;
  /** Bytes waiting in the disk buffer, after each change. */
  onSpoolSize?(bytes: number): void;
  /**
   * A network sink's receiver acknowledged a whole batch: `events` newly stored, `duplicates` it
   * already had (a `_bulk` 409, a JetStream duplicate), `durationMs` from its first send to the
   * acknowledgment, retries included. `sink` names the sink kind (`ndjson`, `splunk_hec`, …).
   */
  onOutputDelivered?(sink: string, info: { events: number; duplicates: number; durationMs: number }): void;
  /** A delivery attempt of a network sink failed; `reason` is short and stable (e.g. `http_5xx`, `refused`). */
  onOutputAttemptFailed?(sink: string, reason: OutputFailureReason): void;
  /** How long an indexer acknowledgment (Splunk HEC ackId) took to report the batch indexed. */
  onOutputAckWait?(sink: string, durationMs: number): void;
}

/**
 * Why a delivery attempt failed (`server_error`: JetStream answered a publish with a retryable
 * error). All are retried except `refused` (the receiver refuses a line
 * for good, which stops the collector) and `too_large` (413: the batch is sent again in halves).
 */
export type OutputFailureReason = 'no_response' | 'http_408' | 'http_429' | 'http_5xx' | 'too_large' | 'item_errors' | 'ack_timeout' | 'server_error' | 'refused';
