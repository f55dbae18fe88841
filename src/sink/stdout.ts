import { closeSync, fstatSync, fsync, openSync, readSync, write } from 'node:fs';
import { HelError } from '../errors.js';
import type { BatchSink, SinkBatch } from './batch-sink.js';

/** POSIX guarantees that a write of at most this many bytes to a pipe lands whole or not at all. */
const PIPE_BUF = 4096;
const RETRY_EAGAIN_MS = 5;

type Target = 'pipe' | 'file' | 'terminal';

/**
 * Writes to stdout (or another inherited descriptor) with write(2) on the descriptor itself, so a
 * write resolves when the kernel has the bytes and a closed pipe (EPIPE) surfaces before the cursor
 * that covers them is committed.
 *
 * A pipe cannot be read back, so delivery through it is at least once: a kill repeats the page in
 * flight. To keep every line readable anyway, a page goes to a pipe in pieces of whole lines of at
 * most PIPE_BUF bytes, each of which the kernel delivers whole even if Hel is killed mid-page
 * (only a single line longer than that can be torn). And each run starts on a fresh line: its first
 * write to a pipe begins with "\n" (what the reader already holds is unknowable), its first write to
 * a regular file only when the file does not already end with one.
 */
export class StdoutSink implements BatchSink {
  readonly description: string;
  private failure: Error | undefined;
  private readonly target: Target;
  private readonly freshLine: boolean;
  /** The fresh line's write: every write waits for it, sources of a run write concurrently. */
  private startedLine: Promise<void> | undefined;

  constructor(
    private readonly fd = 1,
    description = 'stdout',
  ) {
    this.description = description;
    let info;
    try {
      info = fstatSync(fd);
    } catch (err) {
      throw this.outputError(err as Error);
    }
    this.target = info.isFIFO() || info.isSocket() ? 'pipe' : info.isFile() ? 'file' : 'terminal';
    this.freshLine = this.target === 'pipe' || (this.target === 'file' && info.size > 0 && !endsWithNewline(fd, info.size));
  }

  async write(batch: SinkBatch): Promise<void> {
    if (this.failure) throw this.outputError(this.failure);
    try {
      if (this.freshLine) await (this.startedLine ??= this.writeAll(Buffer.from('\n')));
      if (this.target !== 'pipe') return await this.writeAll(batch.bytes);
      let start = 0;
      let end = 0;
      for (const lineEnd of batch.lineEnds) {
        if (lineEnd - start > PIPE_BUF && end > start) {
          await this.writeAll(batch.bytes.subarray(start, end));
          start = end;
        }
        end = lineEnd;
      }
      if (end > start) await this.writeAll(batch.bytes.subarray(start, end));
    } catch (err) {
      this.failure = err as Error;
      throw this.outputError(this.failure);
    }
  }

  /** Every write already waited for the kernel; only a regular file (`hel run >> out`) is fsynced too. */
  async flush(): Promise<void> {
    if (this.failure) throw this.outputError(this.failure);
    if (this.target !== 'file') return;
    try {
      await new Promise<void>((resolve, reject) => fsync(this.fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      this.failure = err as Error;
      throw this.outputError(this.failure);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  healthy(): boolean {
    return this.failure === undefined;
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    for (let offset = 0; offset < bytes.length;) {
      try {
        offset += await writeOnce(this.fd, bytes.subarray(offset));
      } catch (err) {
        // A descriptor inherited in non-blocking mode: wait for the reader instead of failing.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_EAGAIN_MS));
      }
    }
  }

  private outputError(err: Error): HelError {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'EPIPE' ? `${this.description} was closed by the reader (EPIPE)` : `cannot write to ${this.description}: ${err.message}`;
    return new HelError('HEL_OUTPUT', message, { hint: 'the cursor was not advanced past the last written event; restart to resume' }, { cause: err });
  }
}

function writeOnce(fd: number, bytes: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, bytes, 0, bytes.length, null, (err, written) => (err ? reject(err) : resolve(written)));
  });
}

/** Whether the regular file behind `fd` ends with "\n"; read through /proc, as stdout is write-only. */
function endsWithNewline(fd: number, size: number): boolean {
  let reader: number | undefined;
  try {
    reader = openSync(`/proc/self/fd/${fd}`, 'r');
    const last = Buffer.alloc(1);
    readSync(reader, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } catch {
    // Unreadable: a fresh line costs at most one blank line.
    return false;
  } finally {
    if (reader !== undefined) closeSync(reader);
  }
}
