import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Why a file could not be read, in words for an error line. */
export class BoundedReadError extends Error {
  constructor(
    readonly reason: 'missing' | 'not-a-file' | 'too-large' | 'unreadable',
    message: string,
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'BoundedReadError';
  }
}

/**
 * Reads a whole small file (config, token, recording) with a size bound, and only if it is a
 * regular file: /dev/zero, a FIFO or a directory fail at once instead of filling memory or
 * blocking forever. Opened non-blocking, so even opening a FIFO with no writer returns.
 */
export function readBoundedFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BoundedReadError(code === 'ENOENT' ? 'missing' : 'unreadable', code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`, code);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new BoundedReadError('not-a-file', `is not a regular file (${kindOfNode(stat)})`);
    if (stat.size > maxBytes) throw new BoundedReadError('too-large', `is ${stat.size} bytes, over the limit of ${maxBytes} bytes`);
    // Read to EOF, never past the bound: the file may grow while it is read.
    const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1));
    const chunks: Buffer[] = [];
    let total = 0;
    for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) {
      total += n;
      if (total > maxBytes) throw new BoundedReadError('too-large', `is over the limit of ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof BoundedReadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new BoundedReadError('unreadable', `cannot be read (${code ?? String(err)})`, code);
  } finally {
    closeSync(fd);
  }
}

function kindOfNode(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
