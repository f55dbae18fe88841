/** What the output reports on the runtime's event bus (src/bus): each event's name and payload. */
export interface OutputEventMap {
  /** Events discarded by `strategy: drop`: queue full, too old, or still queued at shutdown. */
  'output.dropped': { source: string; events: number; reason: 'backpressure' | 'max_queue_age' | 'shutdown' };
  /** A write or flush started to exceed the stall threshold (true) or the stalled operations completed (false). */
  'output.stall': { stalled: boolean };
  /** A delivery attempt failed and is retried. */
  'output.retry': Record<string, never>;
  /** Bytes waiting in the disk buffer, after each change. */
  'output.spool': { bytes: number };
  /**
   * A network sink's receiver acknowledged a whole batch: `events` newly stored, `duplicates` it
   * already had (a `_bulk` 409, a JetStream duplicate), `durationMs` from its first send to the
   * acknowledgment, retries included. `sink` names the sink kind (`ndjson`, `splunk_hec`, …).
   */
  'output.delivered': { sink: string; events: number; duplicates: number; durationMs: number };
  /** A delivery attempt of a network sink failed; `reason` is short and stable (e.g. `http_5xx`, `refused`). */
  'output.attempt_failed': { sink: string; reason: OutputFailureReason };
  /** How long an indexer acknowledgment (Splunk HEC ackId) took to report the batch indexed. */
  'output.ack_wait': { sink: string; durationMs: number };
}

/**
 * Why a delivery attempt failed (`server_error`: JetStream answered a publish with a retryable
 * error). All are retried except `refused` (the receiver refuses a line
 * for good, which stops the collector) and `too_large` (413: the batch is sent again in halves).
 */
export type OutputFailureReason = 'no_response' | 'http_408' | 'http_429' | 'http_5xx' | 'too_large' | 'item_errors' | 'ack_timeout' | 'server_error' | 'refused';
