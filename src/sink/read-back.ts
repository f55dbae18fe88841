import { open, stat } from 'node:fs/promises';
import { HelError } from '../errors.js';
import { outputSequence } from './rotation.js';

/**
 * Where a file output stood at a checkpoint: the file's identity (device and inode, which survive a
 * rotation's rename) and a byte offset in it. Saved with every checkpoint as `output_position`.
 * `file` and `host` name whose output it is, so that in a fleet the instance taking a source over
 * can read back what the previous holder wrote (a mark without them is one Hel wrote before 0.2).
 */
export interface OutputMark {
  identity: string;
  offset: number;
  /** The output's absolute path. */
  file?: string;
  /** The host name of the writer. */
  host?: string;
}

export function formatMark(mark: OutputMark): string {
  if (mark.file === undefined) return `${mark.identity}:${mark.offset}`;
  return JSON.stringify({ identity: mark.identity, offset: mark.offset, file: mark.file, host: mark.host });
}

function parseMark(text: string): OutputMark | undefined {
  if (text.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    const { identity, offset, file, host } = (value ?? {}) as Partial<Record<keyof OutputMark, unknown>>;
    const valid =
      typeof identity === 'string' &&
      /^\d+:\d+$/.test(identity) &&
      Number.isSafeInteger(offset) &&
      (offset as number) >= 0 &&
      typeof file === 'string' &&
      (host === undefined || typeof host === 'string');
    return valid ? { identity, offset: offset as number, file, host: host } : undefined;
  }
  const m = /^(\d+:\d+):(\d+)$/.exec(text);
  return m ? { identity: m[1]!, offset: Number(m[2]) } : undefined;
}

/**
 * What a read-back found: the mark of the end of what it read and the file it read from, or why
 * nothing could be read (the output is gone, or it is another host's file).
 */
export type ReadBackResult = { end: string; file: string } | { unreadable: string };

async function identityOf(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.dev}:${info.ino}`;
  } catch {
    return undefined;
  }
}

/** 256 MiB: far more than the pages in flight at a kill, far less than a stalled start. */
const READ_BACK_CAP = 256 * 1024 * 1024;
const CHUNK = 1 << 20;

/**
 * Visits the whole lines written to `path` after `mark`: the rest of the file the mark names
 * (found by identity, so it may since have been rotated) and every file written after it. A last
 * line without its newline (torn by a kill) is not visited. Resolves with the mark of the end
 * (naming `path` as `file` on `host`), or why nothing was read: the file the mark names is gone
 * (moved or deleted).
 */
export async function readBackLines(path: string, mark: OutputMark, visit: (line: string) => void, options: { cap?: number; signal?: AbortSignal; host?: string } = {}): Promise<ReadBackResult> {
  const cap = options.cap ?? READ_BACK_CAP;
  const files = await outputSequence(path);
  const identities = await Promise.all(files.map(identityOf));
  const first = identities.indexOf(mark.identity);
  if (first < 0) return { unreadable: `the output file of the last checkpoint is gone (moved or deleted): ${path}` };
  let end = mark;
  let scanned = 0;
  for (let i = first; i < files.length; i++) {
    const identity = identities[i];
    if (identity === undefined) continue;
    const handle = await open(files[i]!, 'r');
    try {
      const size = Number((await handle.stat()).size);
      let position = i === first ? Math.min(mark.offset, size) : 0;
      scanned += size - position;
      if (scanned > cap) {
        throw readBackError(
          path,
          `more than ${cap >= 1 << 20 ? `${Math.round(cap / (1 << 20))} MiB` : `${cap} bytes`} were written after this source's last checkpoint, too much to read back`,
          'another process writes to this output, or the source was idle for a long backfill of others; move the output file aside to start a new one (its last page may then be written again)',
        );
      }
      let carry = Buffer.alloc(0);
      const buffer = Buffer.allocUnsafe(CHUNK);
      while (position < size) {
        options.signal?.throwIfAborted();
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - position), position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const chunk = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
        let start = 0;
        for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
          if (nl > start) visit(chunk.toString('utf8', start, nl));
          start = nl + 1;
        }
        carry = Buffer.from(chunk.subarray(start));
      }
      end = { identity, offset: position };
    } finally {
      await handle.close();
    }
  }
  return { end: formatMark({ ...end, file: path, host: options.host }), file: path };
}

/** The mark `text` parsed, or the error for a mark Hel never writes. */
export function markOrError(path: string, text: string): OutputMark {
  const mark = parseMark(text);
  if (!mark) throw readBackError(path, `the saved output position "${text}" is not one Hel writes`, 'the state was edited or comes from another sink; `hel state reset SOURCE` starts the source over');
  return mark;
}

function readBackError(path: string, message: string, hint: string): HelError {
  return new HelError('HEL_OUTPUT', `cannot read back ${path}: ${message}`, { hint });
}
