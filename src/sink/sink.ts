/**
 * Where NDJSON goes. `write` hands a chunk of whole lines over; `flush` returns only when every
 * chunk written before it is durable (fsync for files, handed to the kernel for pipes). The engine
 * commits a cursor only after the flush that covers its page: that is the no-loss rule.
 */
export interface Sink {
  readonly description: string;
  /** Whole NDJSON lines as UTF-8. The bytes are reused once the promise resolves: copy to keep them. */
  write(chunk: Uint8Array): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Whether the sink can currently accept writes (for /readyz). */
  healthy(): boolean;
}
