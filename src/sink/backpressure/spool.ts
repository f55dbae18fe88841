import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, ftruncateSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { HelError } from '../../errors.js';
import { syncDirectory, writeFileAtomic } from '../../secrets/atomic-write.js';
import type { SinkBatch } from '../batch-sink.js';

/**
 * The on-disk spool of `strategy: disk_buffer`: batches appended to numbered segment files
 * (PATH.0000000001, …) and a drained position in PATH.pos. A record is
 * `u32 length | u32 header length | u32 crc32 | header JSON | NDJSON bytes`, so a record torn by a
 * crash is recognised at open and cut off (it was never fsynced, so never acknowledged).
 */

const FRAME = 12;

export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolRecord {
  batch: SinkBatch;
  /** Offset just after this record in its segment. */
  end: number;
}

interface RecordHeader {
  s: string;
  e: number[];
  i: (string | null)[];
  t: (number | null)[];
}

export class Spool {
  private readonly prefix: string;
  private readonly dir: string;
  private segments: number[];
  private fd: number;
  /** Bytes of the newest segment written / fsynced. */
  private written: number;
  private synced: number;
  /** Total bytes of records not yet drained (all segments from the position). */
  private pendingBytes: number;
  private position: SpoolPosition;

  constructor(
    path: string,
    private readonly segmentBytes: number,
  ) {
    this.prefix = basename(path);
    this.dir = dirname(path);
    mkdirSync(this.dir, { recursive: true });
    this.segments = readdirSync(this.dir)
      .filter((n) => n.startsWith(`${this.prefix}.`) && /^\d{10}$/.test(n.slice(this.prefix.length + 1)))
      .map((n) => Number(n.slice(this.prefix.length + 1)))
      .sort((a, b) => a - b);
    this.position = this.readPosition();
    // Segments wholly before the position were drained; a crash may have left them behind.
    for (const s of this.segments.filter((s) => s < this.position.segment)) rmSync(this.segmentPath(s), { force: true });
    this.segments = this.segments.filter((s) => s >= this.position.segment);
    if (this.segments.length === 0) {
      this.segments.push(Math.max(1, this.position.segment));
      this.position = { segment: this.segments[0]!, offset: 0 };
    }
    const newest = this.segments[this.segments.length - 1]!;
    this.fd = openSync(this.segmentPath(newest), 'a+', 0o600);
    this.written = this.synced = this.repairTail(newest);
    // A position in a segment that is gone (removed by hand) starts at the oldest segment left.
    if (!this.segments.includes(this.position.segment)) this.position = { segment: this.segments[0]!, offset: 0 };
    this.pendingBytes = this.segments.reduce((sum, s) => sum + (s === newest ? this.written : statSync(this.segmentPath(s)).size), 0) - this.position.offset;
  }

  get bytes(): number {
    return this.pendingBytes;
  }

  /**
   * Appends a record (not yet durable: see `sync`). When the write fails, every record not yet
   * fsynced is cut off, not only this one: none of them will be acknowledged (the disk buffer fails
   * for good), so their sources fetch them again and the spool must not deliver them as well.
   */
  append(batch: SinkBatch): void {
    const header = Buffer.from(JSON.stringify({ s: batch.source, e: [...batch.lineEnds], i: batch.ids.map((x) => x ?? null), t: batch.times.map((x) => x ?? null) } satisfies RecordHeader));
    const body = batch.bytes;
    const frame = Buffer.alloc(FRAME);
    frame.writeUInt32LE(header.byteLength + body.byteLength, 0);
    frame.writeUInt32LE(header.byteLength, 4);
    frame.writeUInt32LE(crc32(body, crc32(header)), 8);
    const record = Buffer.concat([frame, header, body]);
    try {
      // A disk filling up writes part of the record and returns short; the next write says why.
      for (let done = 0; done < record.byteLength;) {
        const wrote = writeSync(this.fd, record, done);
        if (wrote === 0) throw new Error(`nothing written after ${done} of ${record.byteLength} bytes`);
        done += wrote;
      }
    } catch (err) {
      throw this.cutBack(this.synced, 'append to', err);
    }
    this.written += record.byteLength;
    this.pendingBytes += record.byteLength;
  }

  /** Makes every appended record durable; starts a new segment once the current one is full. A failure cuts off what `append` does. */
  sync(): void {
    if (this.synced === this.written) return;
    try {
      fsyncSync(this.fd);
    } catch (err) {
      throw this.cutBack(this.synced, 'fsync', err);
    }
    this.synced = this.written;
    if (this.written >= this.segmentBytes) this.rotate();
  }

  /**
   * Starts the next segment. The records are durable already, so a segment that cannot be created
   * must not fail the flush (its pages would be fetched again and drained as well): the full one
   * grows on, and the next sync tries again.
   */
  private rotate(): void {
    const next = this.segments[this.segments.length - 1]! + 1;
    let fd: number;
    try {
      fd = openSync(this.segmentPath(next), 'a+', 0o600);
    } catch {
      return;
    }
    try {
      syncDirectory(this.dir);
    } catch {
      closeSync(fd);
      return;
    }
    closeSync(this.fd);
    this.fd = fd;
    this.segments.push(next);
    this.written = this.synced = 0;
  }

  /** Up to `maxRecords` durable records from the drained position on, in order (empty when drained). */
  read(maxRecords: number): { records: SpoolRecord[]; segment: number } {
    this.skipDrainedSegments();
    const segment = this.position.segment;
    const newest = this.segments[this.segments.length - 1]!;
    const limit = segment === newest ? this.synced : statSync(this.segmentPath(segment)).size;
    const records: SpoolRecord[] = [];
    const fd = segment === newest ? this.fd : openSync(this.segmentPath(segment), 'r');
    try {
      let offset = this.position.offset;
      while (records.length < maxRecords && offset < limit) {
        const record = readRecord(fd, offset, limit);
        if (record === undefined)
          throw new HelError('HEL_OUTPUT', `the disk buffer segment ${this.segmentPath(segment)} is corrupt at offset ${offset}`, {
            hint: 'move the spool files aside to start with an empty spool; the events in them are not delivered',
          });
        records.push(record);
        offset = record.end;
      }
    } finally {
      if (fd !== this.fd) closeSync(fd);
    }
    return { records, segment };
  }

  /** Records everything up to `end` of `segment` as delivered (durably: a restart resumes after it). */
  drained(segment: number, end: number): void {
    this.pendingBytes -= end - (segment === this.position.segment ? this.position.offset : 0);
    this.position = { segment, offset: end };
    writeFileAtomic(this.positionPath(), JSON.stringify(this.position));
    this.skipDrainedSegments();
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Truncates the newest segment to `offset` after a failed write or fsync; the error says whether that worked. */
  private cutBack(offset: number, what: string, err: unknown): HelError {
    const segment = this.segmentPath(this.segments[this.segments.length - 1]!);
    const message = `cannot ${what} the disk buffer segment ${segment}: ${err instanceof Error ? err.message : String(err)}`;
    const hint = 'free space on the disk of disk_buffer.path (or lower disk_buffer.max_size_mb below it); the cursor was not advanced';
    try {
      ftruncateSync(this.fd, offset);
      this.pendingBytes -= this.written - offset;
      this.written = offset;
      return new HelError('HEL_OUTPUT', `${message}; the records not yet acknowledged were cut off`, { hint }, { cause: err });
    } catch (truncateErr) {
      return new HelError(
        'HEL_OUTPUT',
        `${message}; cutting it back to ${offset} bytes failed too (${(truncateErr as Error).message}), so it may end with a torn record, cut off at the next start`,
        { hint },
        { cause: err },
      );
    }
  }

  private skipDrainedSegments(): void {
    while (this.segments.length > 1 && this.segments[0] === this.position.segment && this.position.offset >= statSync(this.segmentPath(this.position.segment)).size) {
      rmSync(this.segmentPath(this.segments.shift()!), { force: true });
      this.position = { segment: this.segments[0], offset: 0 };
      writeFileAtomic(this.positionPath(), JSON.stringify(this.position));
    }
  }

  /** Length of the valid records of the newest segment; a torn last record is truncated away. */
  private repairTail(segment: number): number {
    const size = statSync(this.segmentPath(segment)).size;
    let offset = 0;
    for (;;) {
      const record = offset < size ? readRecord(this.fd, offset, size) : undefined;
      if (record === undefined) break;
      offset = record.end;
    }
    if (offset < size) {
      ftruncateSync(this.fd, offset);
      fsyncSync(this.fd);
    }
    return offset;
  }

  private readPosition(): SpoolPosition {
    const path = this.positionPath();
    if (!existsSync(path)) return { segment: this.segments[0] ?? 1, offset: 0 };
    try {
      const value = JSON.parse(readFileSync(path, 'utf8')) as SpoolPosition;
      if (Number.isInteger(value.segment) && Number.isInteger(value.offset)) return value;
    } catch {
      // fall through to the error below
    }
    throw new HelError('HEL_OUTPUT', `the disk buffer position file ${path} is not valid`, {
      hint: 'it is written atomically, so it was changed by hand; restore it, or delete it to deliver the whole spool again',
    });
  }

  private segmentPath(segment: number): string {
    return join(this.dir, `${this.prefix}.${String(segment).padStart(10, '0')}`);
  }

  private positionPath(): string {
    return join(this.dir, `${this.prefix}.pos`);
  }
}

function readRecord(fd: number, offset: number, limit: number): SpoolRecord | undefined {
  if (offset + FRAME > limit) return undefined;
  const frame = Buffer.alloc(FRAME);
  readSync(fd, frame, 0, FRAME, offset);
  const length = frame.readUInt32LE(0);
  const headerLength = frame.readUInt32LE(4);
  if (headerLength > length || offset + FRAME + length > limit) return undefined;
  const data = Buffer.alloc(length);
  readSync(fd, data, 0, length, offset + FRAME);
  const header = data.subarray(0, headerLength);
  const body = data.subarray(headerLength);
  if (crc32(body, crc32(header)) !== frame.readUInt32LE(8)) return undefined;
  let parsed: RecordHeader;
  try {
    parsed = JSON.parse(header.toString('utf8')) as RecordHeader;
  } catch {
    return undefined;
  }
  return {
    batch: { source: parsed.s, bytes: body, lineEnds: parsed.e, ids: parsed.i.map((x) => x ?? undefined), times: parsed.t.map((x) => x ?? undefined) },
    end: offset + FRAME + length,
  };
}
