import assert from 'node:assert/strict';
import type { Clock } from '../../../src/clock.js';
import { httpOutputSchema } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log/logger.js';
import type { SinkBatch } from '../../../src/sink/batch-sink.js';
import { openHttpSink } from '../../../src/sink/http/open.js';
import type { HttpSink } from '../../../src/sink/http/http-sink.js';
import { captureStream } from '../../helpers/log-capture.js';
import { SecretResolver } from '../../../src/secrets/resolver.js';

export const BASE_TIME = Date.UTC(2026, 2, 14, 23, 30, 0);

/** One page of `size` envelope lines with uuids `<source>-<n>`, one minute apart. */
export function page(source: string, first: number, size: number, extra: (n: number) => Record<string, unknown> = () => ({})): SinkBatch {
  const lines: string[] = [];
  const ids: string[] = [];
  const times: number[] = [];
  for (let n = first; n < first + size; n++) {
    const time = BASE_TIME + n * 60_000;
    const uuid = `${source}-${n}`;
    lines.push(JSON.stringify({ ts: new Date(time).toISOString(), source, endpoint: '/events', event: { uuid, n, timestamp: new Date(time).toISOString(), ...extra(n) }, meta: {} }) + '\n');
    ids.push(uuid);
    times.push(time);
  }
  const bytes = Buffer.from(lines.join(''));
  const lineEnds: number[] = [];
  let end = 0;
  for (const l of lines) lineEnds.push((end += Buffer.byteLength(l)));
  return { source, bytes, lineEnds, ids, times };
}

export interface Opened {
  sink: HttpSink;
  logs: () => string;
}

/** The sink under test, as the CLI would open it, with a log captured for assertions. */
export function openSink(url: string, http: Record<string, unknown>, clock: Clock, env: NodeJS.ProcessEnv = {}): Opened {
  const capture = captureStream();
  const logger = createLogger({ level: 'debug', format: 'json', destination: capture.stream });
  const sink = openHttpSink({ url, config: httpOutputSchema.parse(http), secrets: new SecretResolver({ env, path: '/nonexistent/hel-secrets.enc' }), clock, logger, random: () => 0.5 });
  return { sink, logs: () => capture.text() };
}

/**
 * Plays the engine: per page write, flush, then "commit" the cursor. At every commit, each event of
 * every page up to the cursor must already be acknowledged by the receiver: the cursor is never
 * ahead of delivery. Returns the number of committed pages.
 */
export async function driveAndCheck(sink: HttpSink, pages: SinkBatch[], acknowledged: () => Set<string>, signal = new AbortController().signal): Promise<number> {
  let committed = 0;
  const written: string[] = [];
  for (const p of pages) {
    await sink.write(p, signal);
    written.push(...(p.ids as string[]));
    await sink.flush(signal);
    const stored = acknowledged();
    const missing = written.filter((id) => !stored.has(id));
    assert.deepEqual(missing.slice(0, 5), [], `cursor would pass ${missing.length} unacknowledged events at page ${committed + 1}`);
    committed++;
  }
  return committed;
}

/** Rejects when `promise` has not settled after `ms` of real time (for waits that must stay blocked). */
export async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return !settled;
}
