import type { SinkBatch } from '../../src/sink/batch-sink.js';

/** A batch of `count` small JSON events `{"uuid":"<prefix>-<n>","n":<n>}` for `source`, ids = uuids. */
export function eventBatch(source: string, first: number, count: number, prefix = 'ev'): SinkBatch {
  const lines: string[] = [];
  const ids: string[] = [];
  for (let n = first; n < first + count; n++) {
    const uuid = `${prefix}-${n}`;
    ids.push(uuid);
    lines.push(`${JSON.stringify({ uuid, n })}\n`);
  }
  const bytes = Buffer.from(lines.join(''));
  const lineEnds: number[] = [];
  let end = 0;
  for (const line of lines) lineEnds.push((end += Buffer.byteLength(line)));
  return { source, bytes, lineEnds, ids, times: ids.map(() => undefined) };
}
