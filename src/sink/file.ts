import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { HelError, isHelError } from '../errors.js';
import type { Sink } from './sink.js';
import { rotatedName, type RotationPolicy } from './rotation.js';

/**
 * Appends NDJSON to a file. `flush` fsyncs, so a checkpoint that follows it never points past
 * what is on disk. Rotation renames the current file (daily, or past a size) before a write;
 * it happens only at chunk boundaries, so a page is never split across files.
 *
 * Every source of a run shares the one sink. Opening, rotation and closing take turns with the
 * writes' hand-over, in call order, and wait for the writes and fsyncs in flight: otherwise
 * concurrent first writes would each open (and leak) a handle and each repair a torn line, and a
 * rotation could close the handle under another source's write.
 */
export class FileSink implements Sink {
  readonly description: string;
  private handle: FileHandle | undefined;
  private size = 0;
  private day = '';
  private dirty = false;
  private ok = true;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly rotation: RotationPolicy = { kind: 'none' },
    private readonly now: () => Date = () => new Date(),
  ) {
    this.description = `file ${path}`;
  }

  write(chunk: Uint8Array): Promise<void> {
    // Only opening and rotation take turns; the write itself runs alongside other sources' writes.
    return this.serially(async () => {
      try {
        await this.rotateIfDue();
        const handle = await this.ensureOpen();
        this.size += chunk.length;
        return { written: this.track(this.append(handle, chunk)) };
      } catch (err) {
        throw this.failed(err);
      }
    }).then(({ written }) => written);
  }

  /**
   * Queued behind the writes handed over before it, so its fsync covers them. The fsync runs
   * outside the queue: other sources keep writing meanwhile, and the next flush covers those.
   */
  flush(): Promise<void> {
    return this.serially(() => Promise.resolve({ synced: this.syncWritten() })).then(({ synced }) => synced);
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
   * One write(2) in append mode: the kernel places it whole at the end of the file, so concurrent
   * appends never interleave. A short write (a full disk) is an error, not something to finish
   * later, when another source's page may already follow it.
   */
  private async append(handle: FileHandle, chunk: Uint8Array): Promise<void> {
    try {
      const { bytesWritten } = await handle.write(chunk, 0, chunk.length);
      if (bytesWritten !== chunk.length) throw new Error(`short write: ${bytesWritten} of ${chunk.length} bytes`);
      this.dirty = true;
    } catch (err) {
      throw this.failed(err);
    }
  }

  private track(operation: Promise<void>): Promise<void> {
    this.inFlight.add(operation);
    const settled = (): void => {
      this.inFlight.delete(operation);
    };
    operation.then(settled, settled);
    return operation;
  }

  /** An fsync covering every completed write: a new one if any completed since the last began. */
  private syncWritten(): Promise<void> {
    if (this.handle && this.dirty) {
      this.dirty = false;
      this.syncing = this.track(this.handle.sync().catch((err: unknown) => Promise.reject(this.failed(err))));
    }
    return this.syncing;
  }

  /** Waits for the writes and fsyncs in flight, fsyncs, and closes: before a rotation or at the end. */
  private async closeHandle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
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
    this.handle = await open(this.path, 'a+', 0o640);
    this.size = (await this.handle.stat()).size;
    // A kill during a write can leave a torn last line; without a newline first, our first line
    // would be glued to it and unreadable, losing an event that the restart re-emits.
    if (this.size > 0) {
      const last = Buffer.alloc(1);
      await this.handle.read(last, 0, 1, this.size - 1);
      if (last[0] !== 0x0a) {
        await this.handle.write('\n');
        this.size += 1;
      }
    }
    this.day = this.now().toISOString().slice(0, 10);
    return this.handle;
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

  private outputError(err: unknown): HelError {
    const message = err instanceof Error ? err.message : String(err);
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
