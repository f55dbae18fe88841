import type { LoopRun } from './cases.js';
import type { HelRun } from './hel-cases.js';
import type { AccountsResult } from './accounts-case.js';
import type { HttpSinkResults } from './http-sink-cases.js';

export interface Target {
  name: string;
  target: string;
  value: string;
  pass: boolean;
}

export interface BenchResults {
  version: 1;
  date: string;
  quick: boolean;
  machine: { cpus: number; node: string; platform: string };
  hel: HelRun;
  bareLoop: LoopRun;
  curlJq: (LoopRun & { available: true }) | { available: false; reason: string };
  ratios: { helVsBareLoop: number; helVsCurlJq: number | null };
  backlog: { small: HelRun; large: HelRun; rssRatio: number; flat: boolean };
  scale: HelRun & { sources: number; eventsPerSource: number; limit: number };
  validate: { runs: number; medianMs: number; samplesMs: number[] };
  /** Absent in results written before the HTTP sink. */
  httpSink?: HttpSinkResults;
  /** hel run --once into NATS JetStream, same backlog as `backlog.small`; absent in results written before it. */
  jetstreamSink?: HelRun;
  targets: Target[];
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (n: number | null): string => (n === null ? '—' : `${n.toFixed(1)} MB`);
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [row(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => row(r, widths))].join('\n');
}

/** One row per sink over the same backlog: the file, HTTP NDJSON, the _bulk fake, JetStream. */
export function sinkRows(file: HelRun, http: HttpSinkResults | undefined, jetstream: HelRun | undefined): string[][] {
  const row = (name: string, run: HelRun): string[] => [name, int(run.events), int(run.requests), secs(run.wallMs), int(run.eventsPerSec), mb(run.peakRssMb)];
  return [row('hel → file', file), ...(http ? [row('hel → HTTP NDJSON', http.ndjson), row('hel → _bulk fake', http.bulk)] : []), ...(jetstream ? [row('hel → JetStream', jetstream)] : [])];
}

/** events/s through each network sink over events/s into the file, same backlog and run. */
export function sinkRatios(file: HelRun, http: HttpSinkResults | undefined, jetstream: HelRun | undefined): string {
  const parts = [
    ...(http ? [`NDJSON ${http.vsFile.ndjson.toFixed(2)}`, `_bulk ${http.vsFile.bulk.toFixed(2)}`] : []),
    ...(jetstream ? [`JetStream ${(jetstream.eventsPerSec / file.eventsPerSec).toFixed(2)}`] : []),
  ];
  return `sink / file:     ${parts.join(', ')} (same ${int(file.events)} backlog)`;
}

export function renderResults(r: BenchResults): string {
  const runs: string[][] = [
    ['hel run --once', int(r.hel.events), int(r.hel.requests), secs(r.hel.wallMs), int(r.hel.eventsPerSec), mb(r.hel.peakRssMb)],
    ['bare Node loop', int(r.bareLoop.events), int(r.bareLoop.requests), secs(r.bareLoop.wallMs), int(r.bareLoop.eventsPerSec), mb(r.bareLoop.peakRssMb)],
    r.curlJq.available
      ? ['curl + jq loop', int(r.curlJq.events), int(r.curlJq.requests), secs(r.curlJq.wallMs), int(r.curlJq.eventsPerSec), mb(null)]
      : ['curl + jq loop', '—', '—', '—', 'unavailable', '—'],
    [`hel, ${r.scale.sources} sources`, int(r.scale.events), int(r.scale.requests), secs(r.scale.wallMs), int(r.scale.eventsPerSec), mb(r.scale.peakRssMb)],
    ...sinkRows(r.backlog.small, r.httpSink, r.jetstreamSink),
  ];
  const lines = [
    `Hel bench (${r.quick ? 'quick, ' : ''}${r.machine.cpus} CPUs, Node ${r.machine.node}, ${r.date})`,
    '',
    table(['run', 'events', 'requests', 'wall', 'events/s', 'peak RSS'], runs),
    '',
    `hel / bare loop: ${r.ratios.helVsBareLoop.toFixed(2)}`,
    `hel / curl+jq:   ${r.ratios.helVsCurlJq === null ? `unavailable (${r.curlJq.available ? '' : r.curlJq.reason})` : r.ratios.helVsCurlJq.toFixed(1)}`,
    `backlog RSS:     ${mb(r.backlog.large.peakRssMb)} vs ${mb(r.backlog.small.peakRssMb)} (${r.backlog.flat ? 'flat' : 'NOT flat'}, ratio ${r.backlog.rssRatio.toFixed(2)})`,
    `hel validate:    ${int(r.validate.medianMs)} ms (median of ${r.validate.runs})`,
    ...(r.httpSink || r.jetstreamSink ? [sinkRatios(r.backlog.small, r.httpSink, r.jetstreamSink)] : []),
    '',
    table(
      ['target', 'wanted', 'measured', ''],
      r.targets.map((t) => [t.name, t.target, t.value, t.pass ? 'ok' : 'MISSED']),
    ),
  ];
  return lines.join('\n');
}

export function evaluateTargets(r: Omit<BenchResults, 'targets'>): Target[] {
  const t: Target[] = [
    { name: 'throughput vs bare loop', target: '>= 0.75x', value: `${r.ratios.helVsBareLoop.toFixed(2)}x`, pass: r.ratios.helVsBareLoop >= 0.75 },
    {
      name: 'throughput vs curl+jq',
      target: '>= 5x',
      value: r.ratios.helVsCurlJq === null ? 'n/a' : `${r.ratios.helVsCurlJq.toFixed(1)}x`,
      pass: r.ratios.helVsCurlJq === null || r.ratios.helVsCurlJq >= 5,
    },
    { name: `peak RSS, ${int(r.hel.events)} backfill`, target: '< 150 MB', value: mb(r.hel.peakRssMb), pass: r.hel.peakRssMb < 150 },
    { name: 'RSS flat in backlog size', target: 'within 10%', value: `${((r.backlog.rssRatio - 1) * 100).toFixed(1)}%`, pass: r.backlog.flat },
    { name: `${r.scale.sources} sources peak RSS`, target: '< 300 MB', value: mb(r.scale.peakRssMb), pass: r.scale.peakRssMb < 300 },
    { name: 'hel validate start-up', target: '< 500 ms', value: `${int(r.validate.medianMs)} ms`, pass: r.validate.medianMs < 500 },
  ];
  return t;
}

/** The many-accounts case (`npm run bench -- --case accounts`). */
export function renderAccounts(a: AccountsResult): string {
  return [
    `${a.accounts} accounts, ${a.sources} sources, ${a.eventsPerStream} events per stream (${a.heavyAccounts} accounts paging with limit 1)`,
    `hel validate:   ${secs(a.validate.wallMs)}, peak RSS ${mb(a.validate.peakRssMb)}, ${a.validate.lines} lines of output`,
    `hel run --once: ${secs(a.run.wallMs)}, peak RSS ${mb(a.run.peakRssMb)}, ${int(a.run.events)} events, ${int(a.run.requests)} requests`,
    `budget:         most requests of one account in any minute ${a.budget.maxInAnyMinute} (heavy accounts ${a.budget.heavyMaxInAnyMinute}), limit ${a.budget.perMinute}; 429s ${a.budget.status429} — ${a.budget.held ? 'held' : 'NOT held'}`,
  ].join('\n');
}
