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
}
