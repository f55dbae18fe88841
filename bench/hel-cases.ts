import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { countLines } from './files.js';
import { measure, type Measured } from './measure.js';
import { diffStats, type BenchServer } from './server-process.js';

/** Hel as users start it: the `hel` launcher with its memory settings (docs/cli.md, "Memory settings: the `hel` launcher"). */
export const HEL_BIN = fileURLToPath(new URL('../../bin/hel', import.meta.url));
const TOKEN_ENV = 'HEL_BENCH_TOKEN';
const RUN_TIMEOUT_MS = 15 * 60_000;

export interface BenchSource {
  name: string;
  events: number;
  limit: number;
}

export interface HelRun {
  events: number;
  requests: number;
  wallMs: number;
  eventsPerSec: number;
  peakRssMb: number;
  cpuMs: number | undefined;
}

/**
 * A full-form source as `type: onepassword` expands to (cursor replaces the body, dedupe on uuid,
 * `timestamp` as event time), minus the account budget: 127.0.0.1 is not a 1Password host.
 */
function sourceConfig(server: BenchServer, s: BenchSource): Record<string, unknown> {
  return {
    url: `${server.url}/b/${s.events}/${s.name}/api/v2/auditevents`,
    method: 'post',
    body: { limit: s.limit },
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    auth: { type: 'bearer', token_env: TOKEN_ENV },
    pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', has_more_path: 'has_more', cursor_in_body: 'replace', max_pages: Math.ceil(s.events / s.limit) + 10 },
    resilience: { timeout_secs: 30 },
    dedupe: { id_path: 'uuid', capacity: 100_000 },
    timestamp_path: 'timestamp',
  };
}

function helConfig(server: BenchServer, sources: BenchSource[], statePath: string): Record<string, unknown> {
  return {
    global: { log_level: 'info', log_format: 'json', state: { path: statePath } },
    sources: Object.fromEntries(sources.map((s) => [s.name, sourceConfig(server, s)])),
  };
}

export function writeHelConfig(path: string, server: BenchServer, sources: BenchSource[], statePath: string): void {
  writeFileSync(path, stringify(helConfig(server, sources, statePath)));
}

/** One `hel run --once` over `sources` in a fresh state file and output file, as a child process. */
export async function runHel(server: BenchServer, dir: string, tag: string, sources: BenchSource[], bin = HEL_BIN): Promise<HelRun> {
  const expected = sources.reduce((n, s) => n + s.events, 0);
  return runHelWith(server, dir, tag, (statePath) => helConfig(server, sources, statePath), expected, bin);
}

/**
 * `hel run --once` with the config `build` makes (given the state path), expecting `expected` lines.
 * `bin` is the launcher to run: this tree's, or another build's for an A/B comparison.
 */
export async function runHelWith(server: BenchServer, dir: string, tag: string, build: (statePath: string) => Record<string, unknown>, expected: number, bin = HEL_BIN): Promise<HelRun> {
  const config = join(dir, `${tag}.yaml`);
  const state = join(dir, `${tag}-state.db`);
  const output = join(dir, `${tag}.ndjson`);
  writeFileSync(config, stringify(build(state)));
  const before = await server.stats();
  const m: Measured = await measure(bin, ['run', '--once', '--config', config, '--output', output, '--state', state], {
    env: { [TOKEN_ENV]: 'bench-token' },
    timeoutMs: RUN_TIMEOUT_MS,
    dir,
    probe: true,
  });
  const served = diffStats(await server.stats(), before);
  if (m.code !== 0) throw new Error(`hel run --once (${tag}) exited with ${m.code}:\n${m.stderr.slice(-2000)}`);
  const events = await countLines(output);
  if (events !== expected) throw new Error(`hel run --once (${tag}) wrote ${events} events, expected ${expected}`);
  for (const f of [output, state, `${state}-wal`, `${state}-shm`]) rmSync(f, { force: true });
  return { events, requests: served.requests, wallMs: m.wallMs, eventsPerSec: (events / m.wallMs) * 1000, peakRssMb: m.peakRssMb, cpuMs: m.cpuMs };
}

/**
 * The short form (so Hel knows the source is 1Password and has its mappings) against the bench
 * server, one stream, written in `format`. The account budget of the short form (600 requests a
 * minute) bounds a run to 600 pages, so `events` stays at most 600,000.
 */
export function shortFormConfig(server: BenchServer, tag: string, events: number, format: string): (statePath: string) => Record<string, unknown> {
  return (statePath) => ({
    global: { log_level: 'info', log_format: 'json', state: { path: statePath }, output: { format } },
    sources: {
      [tag]: { type: 'onepassword', base_url: `${server.url}/b/${events}/${tag}`, token_env: TOKEN_ENV, streams: ['auditevents'], start_time: new Date(Date.now() - 86_400_000).toISOString() },
    },
  });
}

/** `hel validate` start-up: wall time of whole processes, median of `runs`. */
export async function timeValidate(server: BenchServer, dir: string, runs: number): Promise<{ runs: number; medianMs: number; samplesMs: number[] }> {
  const config = join(dir, 'validate.yaml');
  writeHelConfig(config, server, [{ name: 'onepassword-audit', events: 1000, limit: 1000 }], join(dir, 'validate-state.db'));
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await measure(HEL_BIN, ['validate', '--config', config], { env: { [TOKEN_ENV]: 'bench-token' }, timeoutMs: 60_000, dir, probe: false });
    if (m.code !== 0) throw new Error(`hel validate exited with ${m.code}:\n${m.stderr.slice(-2000)}`);
    samples.push(m.wallMs);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { runs, medianMs: sorted[Math.floor(sorted.length / 2)]!, samplesMs: samples };
}
