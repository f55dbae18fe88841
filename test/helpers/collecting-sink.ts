import type { BatchSink, SinkBatch } from '../../src/sink/batch-sink.js';

/** An output that keeps every batch in memory, always healthy; for in-process engine tests. */
export class CollectingSink implements BatchSink {
  readonly description = 'memory';
  readonly chunks: string[] = [];
  write(batch: SinkBatch): Promise<void> {
    this.chunks.push(Buffer.from(batch.bytes).toString('utf8'));
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  healthy(): boolean {
    return true;
  }
  /** Every line written, parsed, optionally only those of `source`. */
  lines(source?: string): Record<string, unknown>[] {
    const all = this.chunks.flatMap((c) => c.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, unknown>);
    return source === undefined ? all : all.filter((l) => l.source === source);
  }
}
