import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { extname, resolve } from 'node:path';
import { HelError, isHelError } from '../errors.js';
import type { BatchSink, SinkBatch } from './batch-sink.js';
import { formatMark, markOrError, readBackLines, type OutputMark, type ReadBackResult } from './read-back.js';
import { rotatedName, type RotationPolicy } from './rotation.js';

/**
 * Appends NDJSON to a file. `flush` fsyncs, so a checkpoint that follows it never points past
 * what is on disk. Rotation renames the current file (daily, or past a size) before a write;
 * it happens only at batch boundaries, so a page is never split across files.
 *
 * Every source of a run shares the one sink. Writes, opening, rotation and closing take turns in
 * call order, so each write's offset is known exactly: a failed write is cut off again
 * (`ftruncate` to where it began, e.g. a full disk), and `position` can name the end of the lines
 * a checkpoint covers. The fsyncs run outside the turns, alongside other sources' writes.
 */
export class FileSink implements BatchSink {
  readonly description: string;
  private handle: FileHandle | undefined;
  /** `dev:ino` of the open file. */
  private identity = '';
  private size = 0;
  private day = '';
  private dirty = false;
  private ok = true;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly syncs = new Set<Promise<void>>();
  private syncing: Promise<void> = Promise.resolve();
  /** The end of what the last completed fsync covers. */
  private durable: OutputMark = { identity: '', offset: 0 };
  /** Where this output is, as its marks name it: another instance of a fleet may read it back. */
  private readonly absolutePath: string;
  private readonly host = hostname();

  constructor(
    private readonly path: string,
    private readonly rotation: RotationPolicy = { kind: 'none' },
    private readonly now: () => Date = () => new Date(),
    private readonly readBackCap?: number,
  ) {
    this.description = `file ${path}`;
    this.absolutePath = resolve(path);
  }

  write(batch: SinkBatch): Promise<void> {
    return this.serially(async () => {
      try {
        await this.rotateIfDue();
        await this.append(await this.ensureOpen(), batch.bytes);
      } catch (err) {
        throw this.failed(err);
      }
    });
  }

  /**
   * Queued behind the writes handed over before it, so its fsync covers them. The fsync runs
   * outside the queue: other sources keep writing meanwhile, and the next flush covers those.
   */
  flush(): Promise<void> {
    return this.serially(() => Promise.resolve({ synced: this.syncWritten() })).then(({ synced }) => synced);
  }

  /** After a flush: the durable end, at or past every line this caller wrote. Opens the file if need be. */
  position(): Promise<string> {
    return this.serially(async () => {
      if (!this.handle) await this.ensureOpen();
      return formatMark({ ...this.durable, file: this.absolutePath, host: this.host });
    });
  }

  /**
   * Reads back this output after `mark`, or, in a fleet, the output of the instance that held the
   * source before (the mark names its file): readable when that instance ran on this host, as a
   * dead instance's file no longer changes. Another host's file cannot be read from here.
   */
  async readBack(markText: string, visit: (line: string) => void, signal: AbortSignal): Promise<ReadBackResult> {
    const mark = markOrError(this.path, markText);
    const options = { cap: this.readBackCap, signal, host: this.host };
    if (mark.file === undefined || (mark.file === this.absolutePath && mark.host === this.host)) {
      return this.serially(() => readBackLines(this.absolutePath, mark, visit, options));
    }
    if (mark.host !== this.host) {
      return { unreadable: `the last checkpoint names ${mark.file} on host ${mark.host ?? 'unknown'}, another host's output, which cannot be read from ${this.host}` };
    }
    try {
      return await readBackLines(mark.file, mark, visit, options);
    } catch (err) {
      // Another instance's file that cannot be read (permissions, too long a tail) must not stop this
      // one, nor every instance that takes the source next: its page in flight may come again instead.
      if (signal.aborted) throw err;
      return { unreadable: `the last checkpoint names ${mark.file}, which cannot be read back (${(err as Error).message})` };
    }
  }

  close(): Promise<void> {
    return this.serially(() => this.closeHandle());
  }

  healthy(): boolean {
    return this.ok;
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Appends the batch; a short write (a disk filling up) is continued until it completes or fails
   * with the real error. On failure the part that landed is cut off, so the file ends on the last
   * whole page again and a rerun after freeing space appends to a clean file.
   */
  private async append(handle: FileHandle, bytes: Uint8Array): Promise<void> {
    const start = this.size;
    try {
      for (let written = 0; written < bytes.length;) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
        if (bytesWritten === 0) throw new Error(`nothing written after ${written} of ${bytes.length} bytes`);
        written += bytesWritten;
        this.dirty = true;
      }
      this.size = start + bytes.length;
    } catch (err) {
      throw await this.cutBack(handle, start, err);
    }
  }

  /** Truncates to `offset` after a failed write; the error says whether that worked. */
  private async cutBack(handle: FileHandle, offset: number, err: unknown): Promise<HelError> {
    const message = err instanceof Error ? err.message : String(err);
    try {
      await handle.truncate(offset);
      this.size = offset;
      return this.outputError(err, `${message}; the file was cut back to its last whole page (${offset} bytes)`);
    } catch (truncateErr) {
      return this.outputError(err, `${message}; cutting the file back to ${offset} bytes failed too (${(truncateErr as Error).message}), so it may end with a partial page`);
    }
  }

  /** An fsync covering every completed write: a new one if any completed since the last began. */
  private syncWritten(): Promise<void> {
    if (this.handle && this.dirty) {
      this.dirty = false;
      const handle = this.handle;
      const covers: OutputMark = { identity: this.identity, offset: this.size };
      const sync = handle.sync().then(
        () => {
          if (covers.identity !== this.durable.identity || covers.offset > this.durable.offset) this.durable = covers;
        },
        (err: unknown) => Promise.reject(this.failed(err)),
      );
      this.syncs.add(sync);
      const settled = (): void => {
        this.syncs.delete(sync);
      };
      sync.then(settled, settled);
      this.syncing = sync;
    }
    return this.syncing;
  }

  /** Waits for the fsyncs in flight, fsyncs, and closes: before a rotation or at the end. */
  private async closeHandle(): Promise<void> {
    await Promise.allSettled([...this.syncs]);
    // Only a new fsync: one that failed earlier has already failed its own flush.
    if (this.dirty) await this.syncWritten();
    await this.handle?.close();
    this.handle = undefined;
  }

  private failed(err: unknown): HelError {
    this.ok = false;
    return isHelError(err) ? err : this.outputError(err);
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    const handle = await open(this.path, 'a+', 0o640);
    const info = await handle.stat({ bigint: true });
    this.handle = handle;
    this.identity = `${info.dev}:${info.ino}`;
    this.size = Number(info.size);
    // A kill during a write can leave a torn last line; without a newline first, our first line
    // would be glued to it and unreadable, losing an event that the restart re-emits.
    if (this.size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, this.size - 1);
      if (last[0] !== 0x0a) {
        await handle.write('\n');
        this.size += 1;
      }
    }
    this.durable = { identity: this.identity, offset: this.size };
    // A file written on an earlier day still rotates on its first write today, even when a
    // checkpoint's `position` opened it first.
    this.day = (info.size > 0n ? new Date(Number(info.mtimeMs)) : this.now()).toISOString().slice(0, 10);
    return handle;
  }

  private async rotateIfDue(): Promise<void> {
    if (this.rotation.kind === 'none') return;
    if (!this.handle) {
      if (!existsSync(this.path)) return;
      const info = await stat(this.path);
      this.size = info.size;
      this.day = info.mtime.toISOString().slice(0, 10);
    }
    const today = this.now().toISOString().slice(0, 10);
    const due = this.rotation.kind === 'daily' ? this.day !== '' && this.day !== today && this.size > 0 : this.size >= this.rotation.maxBytes;
    if (!due) return;
    await this.closeHandle();
    const stampDate = this.rotation.kind === 'daily' ? new Date(`${this.day}T00:00:00Z`) : this.now();
    await rename(this.path, unusedName(rotatedName(this.path, stampDate, this.rotation)));
    this.size = 0;
  }

  private outputError(err: unknown, message = err instanceof Error ? err.message : String(err)): HelError {
    return new HelError('HEL_OUTPUT', `cannot write to ${this.path}: ${message}`, { hint: 'check the path, free space and permissions; the cursor was not advanced' }, { cause: err });
  }
}

/**
 * `name`, or `name` with `.1`, `.2`, ... before the extension if taken: rename() replaces an
 * existing file, and two size rotations within one second get the same stamp.
 */
function unusedName(name: string): string {
  if (!existsSync(name)) return name;
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = `${stem}.${n}${ext}`;
    if (!existsSync(candidate)) return candidate;
  }
}
