/**
 * One page of NDJSON as UTF-8 bytes, encoded line by line into a reused buffer. Building the page
 * as one string would make V8 flatten ~1 MB per page into large-object space, which only full GCs
 * reclaim; bytes written here stay off the JS heap and the buffer is reused for every page.
 */
export class LineBuffer {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private length = 0;

  append(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const worst = line.length * 3;
    if (this.length + worst > this.buffer.length) this.grow(this.length + worst);
    this.length += this.buffer.write(line, this.length, 'utf8');
  }

  get byteLength(): number {
    return this.length;
  }

  /** The bytes so far; valid until the next `reset`, so the sink must be done with them by then. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }

  /** Drops the bytes after the first `byteLength` (a line that is not kept). */
  truncate(byteLength: number): void {
    this.length = Math.min(this.length, Math.max(0, byteLength));
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}
