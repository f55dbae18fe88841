import type { Writable } from 'node:stream';
import { HelError } from '../errors.js';
import type { Sink } from './sink.js';

/**
 * Writes to stdout (or any stream). A write resolves when the stream has taken the chunk, so a
 * closed pipe (EPIPE) surfaces before the cursor that covers the chunk is committed.
 */
export class StreamSink implements Sink {
  readonly description: string;
  private failure: Error | undefined;

  constructor(private readonly stream: Writable = process.stdout, description = 'stdout') {
    this.description = description;
    stream.on('error', (err: Error) => {
      this.failure = err;
    });
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.outputError(this.failure));
    return new Promise((resolve, reject) => {
      this.stream.write(chunk, (err) => (err ? reject(this.outputError(err)) : resolve()));
    });
  }

  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.outputError(this.failure));
    // The write callbacks already waited for the stream; a pipe has nothing more to sync.
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  healthy(): boolean {
    return this.failure === undefined && !this.stream.destroyed;
  }

  private outputError(err: Error): HelError {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'EPIPE' ? `${this.description} was closed by the reader (EPIPE)` : `cannot write to ${this.description}: ${err.message}`;
    return new HelError('HEL_OUTPUT', message, { hint: 'the cursor was not advanced past the last written event; restart to resume' }, { cause: err });
  }
}
