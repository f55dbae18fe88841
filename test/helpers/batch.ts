import type { SinkBatch } from '../../src/sink/batch-sink.js';

/** A sink batch of whole NDJSON lines, as the engine hands a page over (no ids or times). */
export function batchOf(text: string | Uint8Array, source = 's'): SinkBatch {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const lineEnds: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lineEnds.push(i + 1);
  return { source, bytes, lineEnds, ids: lineEnds.map(() => undefined), times: lineEnds.map(() => undefined) };
}
