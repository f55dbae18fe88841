import { open } from 'node:fs/promises';

/** Newlines in a file, read in large chunks (the outputs run to hundreds of MB). */
export async function countLines(path: string): Promise<number> {
  const file = await open(path, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let lines = 0;
  try {
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      for (let at = buf.indexOf(10); at !== -1 && at < bytesRead; at = buf.indexOf(10, at + 1)) lines++;
    }
  } finally {
    await file.close();
  }
  return lines;
}
