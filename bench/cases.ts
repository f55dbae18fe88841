import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCurlJqScript } from './curl-jq.js';
import { countLines } from './files.js';
import { measure } from './measure.js';
import { diffStats, type BenchServer } from './server-process.js';

const BARE_LOOP = fileURLToPath(new URL('./bare-loop.js', import.meta.url));
const TIMEOUT_MS = 15 * 60_000;

export interface LoopRun {
  events: number;
  requests: number;
  wallMs: number;
  eventsPerSec: number;
  /** null for the shell loop: its memory is spread over short-lived curl and jq processes. */
  peakRssMb: number | null;
  /** CPU time (user + system) of the Node loop; undefined for the shell loop. */
  cpuMs?: number;
}

function url(server: BenchServer, events: number, tag: string): string {
  return `${server.url}/b/${events}/${tag}/api/v2/auditevents`;
}

async function finish(
  server: BenchServer,
  before: Awaited<ReturnType<BenchServer['stats']>>,
  output: string,
  wallMs: number,
  peakRssMb: number | null,
  expected: number,
  what: string,
  cpuMs?: number,
): Promise<LoopRun> {
  const served = diffStats(await server.stats(), before);
  const events = await countLines(output);
  rmSync(output, { force: true });
  if (events !== expected) throw new Error(`${what} wrote ${events} events, expected ${expected}`);
  return { events, requests: served.requests, wallMs, eventsPerSec: (events / wallMs) * 1000, peakRssMb, ...(cpuMs === undefined ? {} : { cpuMs }) };
}

/** The bare Node loop (bench/bare-loop.ts) as its own process. */
export async function runBareLoop(server: BenchServer, dir: string, events: number): Promise<LoopRun> {
  const output = join(dir, 'bare.ndjson');
  const before = await server.stats();
  const maxPages = Math.ceil(events / 1000) + 10;
  const m = await measure(process.execPath, [BARE_LOOP, url(server, events, 'bare'), output, '1000', String(maxPages)], { timeoutMs: TIMEOUT_MS, dir, probe: true });
  if (m.code !== 0) throw new Error(`bare loop exited with ${m.code}:\n${m.stderr.slice(-2000)}`);
  return finish(server, before, output, m.wallMs, m.peakRssMb, events, 'the bare loop', m.cpuMs);
}

/** The curl + jq shell loop. */
export async function runCurlJq(server: BenchServer, dir: string, events: number): Promise<LoopRun> {
  const output = join(dir, 'curl-jq.ndjson');
  const script = writeCurlJqScript(dir);
  const before = await server.stats();
  const maxPages = Math.ceil(events / 1000) + 10;
  const m = await measure('sh', [script, url(server, events, 'curljq'), output, '1000', String(maxPages)], { timeoutMs: TIMEOUT_MS, dir, probe: false });
  if (m.code !== 0) throw new Error(`curl+jq loop exited with ${m.code}:\n${m.stderr.slice(-2000)}`);
  return finish(server, before, output, m.wallMs, null, events, 'the curl+jq loop');
}
