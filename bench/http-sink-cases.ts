import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { HEL_BIN, writeHelConfig, type HelRun } from './hel-cases.js';
import { startBenchReceiver } from './http-receiver.js';
import { measure } from './measure.js';
import { diffStats, type BenchServer } from './server-process.js';

/** The HTTP sink figures, measured in the same run as the file case they are compared with. */
export interface HttpSinkResults {
  ndjson: HelRun;
  bulk: HelRun;
  /** events/s through HTTP over events/s into a file, same backlog. */
  vsFile: { ndjson: number; bulk: number };
}

export async function runHttpSinkCases(server: BenchServer, dir: string, events: number, file: HelRun): Promise<HttpSinkResults> {
  const ndjson = await runHelHttp(server, dir, 'ndjson', events);
  const bulk = await runHelHttp(server, dir, 'elasticsearch_bulk', events);
  return { ndjson, bulk, vsFile: { ndjson: ndjson.eventsPerSec / file.eventsPerSec, bulk: bulk.eventsPerSec / file.eventsPerSec } };
}

/** `hel run --once --output http://…` of one `events` backfill (pages of 1000) into an HTTP receiver. */
async function runHelHttp(server: BenchServer, dir: string, format: 'ndjson' | 'elasticsearch_bulk', events: number): Promise<HelRun> {
  const receiver = await startBenchReceiver(format);
  const tag = `http-${format}`;
  const config = join(dir, `${tag}.yaml`);
  const state = join(dir, `${tag}-state.db`);
  try {
    writeHelConfig(config, server, [{ name: 'onepassword-audit', events, limit: 1000 }], state);
    const yaml = parse(readFileSync(config, 'utf8')) as { global: Record<string, unknown> };
    yaml.global.output = { http: { format, batch_size: 500, ...(format === 'elasticsearch_bulk' ? { index: 'hel-%Y.%m.%d' } : {}) } };
    writeFileSync(config, stringify(yaml));
    const before = await server.stats();
    const m = await measure(HEL_BIN, ['run', '--once', '--config', config, '--output', receiver.url, '--state', state], {
      env: { HEL_BENCH_TOKEN: 'bench-token', NO_PROXY: '*', HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
      timeoutMs: 15 * 60_000,
      dir,
      probe: true,
    });
    const served = diffStats(await server.stats(), before);
    if (m.code !== 0) throw new Error(`hel run --once (${tag}) exited with ${m.code}:\n${m.stderr.slice(-2000)}`);
    if (receiver.stored() !== events) throw new Error(`hel run --once (${tag}) delivered ${receiver.stored()} events, expected ${events}`);
    return { events, requests: served.requests, wallMs: m.wallMs, eventsPerSec: (events / m.wallMs) * 1000, peakRssMb: m.peakRssMb, cpuMs: m.cpuMs };
  } finally {
    await receiver.stop();
    for (const f of [state, `${state}-wal`, `${state}-shm`]) rmSync(f, { force: true });
  }
}
