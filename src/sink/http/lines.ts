import type { SinkBatch } from '../batch-sink.js';

/** One event on its way to the receiver: its NDJSON line (with the "\n") and what the formats need. */
export interface OutLine {
  readonly source: string;
  readonly bytes: Buffer;
  readonly id: string | undefined;
  readonly time: number | undefined;
}

/** Copies a batch's lines out of the engine's reused buffer (one copy, one view per line). */
export function linesOf(batch: SinkBatch): OutLine[] {
  const copy = Buffer.from(batch.bytes);
  const out: OutLine[] = [];
  let start = 0;
  batch.lineEnds.forEach((end, i) => {
    out.push({ source: batch.source, bytes: copy.subarray(start, end), id: batch.ids[i], time: batch.times[i] });
    start = end;
  });
  return out;
}

/** The line without its trailing newline, for formats that wrap each event. */
export function withoutNewline(line: OutLine): Buffer {
  const n = line.bytes.length;
  return n > 0 && line.bytes[n - 1] === 0x0a ? line.bytes.subarray(0, n - 1) : line.bytes;
}
