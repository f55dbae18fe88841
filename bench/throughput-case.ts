import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { runBareLoop, type LoopRun } from './cases.js';
import { runHel, type HelRun } from './hel-cases.js';
import type { BenchServer } from './server-process.js';

/**
 * `--case throughput`: the 1M backfill of `hel run --once` and the bare loop, run in turns for
 * several rounds (and, with `--baseline DIR`, a second build of Hel in the same turns), so every
 * ratio compares programs that ran minutes apart on the same machine, not in different runs.
 * The order rotates each round, so none of them always runs first after the machine was idle.
 */
export interface ThroughputPlan {
  events: number;
  rounds: number;
  /** A built checkout of another commit (its bin/hel and dist/), for before/after ratios. */
  baseline?: string;
}

type Program = 'hel' | 'baseline' | 'bare';

export interface ThroughputRound {
  round: number;
  /** 1-minute load average before and after the round (2 cores: above 2 means others were running). */
  load: [number, number];
  hel: HelRun;
  bare: LoopRun;
  baseline?: HelRun;
  helVsBare: number;
  baselineVsBare?: number;
  helVsBaseline?: number;
  /** CPU time per event of hel over the bare loop's: unlike events/s, hardly moved by other jobs on the machine. */
  helCpuVsBare?: number;
  baselineCpuVsBare?: number;
}

export interface ThroughputResult {
  events: number;
  rounds: ThroughputRound[];
  median: { helVsBare: number; baselineVsBare?: number; helVsBaseline?: number; helCpuVsBare?: number; baselineCpuVsBare?: number };
  peakRssMb: { hel: number; bare: number; baseline?: number };
  baseline?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `{ [name]: median }` when every round has the figure, else nothing. */
function medianOf(name: string, values: (number | undefined)[]): Record<string, number> {
  return values.every((v) => v !== undefined) && values.length > 0 ? { [name]: median(values) } : {};
}

export function baselineBin(dir: string): string {
  const bin = join(resolve(dir), 'bin', 'hel');
  if (!existsSync(bin) || !existsSync(join(resolve(dir), 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error(`--baseline ${dir}: no built Hel there (expected bin/hel and dist/src/cli/main.js; run npm run build in it)`);
  }
  return bin;
}

export async function runThroughputCase(server: BenchServer, dir: string, plan: ThroughputPlan, log: (line: string) => void): Promise<ThroughputResult> {
  const programs: Program[] = plan.baseline === undefined ? ['hel', 'bare'] : ['hel', 'baseline', 'bare'];
  const bin = plan.baseline === undefined ? undefined : baselineBin(plan.baseline);
  const sources = [{ name: 'onepassword-audit', events: plan.events, limit: 1000 }];
  const rounds: ThroughputRound[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    const order = programs.map((_, i) => programs[(i + r) % programs.length]!);
    const before = loadavg()[0]!;
    const runs: Partial<Record<Program, HelRun | LoopRun>> = {};
    for (const program of order) {
      log(`round ${r + 1}/${plan.rounds}: ${program} (${plan.events} events, load ${loadavg()[0]!.toFixed(2)})`);
      if (program === 'bare') runs.bare = await runBareLoop(server, dir, plan.events);
      else runs[program] = await runHel(server, dir, program, sources, program === 'baseline' ? bin : undefined);
    }
    const hel = runs.hel as HelRun;
    const bare = runs.bare as LoopRun;
    const baseline = runs.baseline as HelRun | undefined;
    const cpuVsBare = (run: HelRun | undefined): number | undefined => (run?.cpuMs === undefined || bare.cpuMs === undefined ? undefined : run.cpuMs / bare.cpuMs);
    rounds.push({
      round: r + 1,
      load: [before, loadavg()[0]!],
      hel,
      bare,
      helVsBare: hel.eventsPerSec / bare.eventsPerSec,
      helCpuVsBare: cpuVsBare(hel),
      ...(baseline === undefined
        ? {}
        : { baseline, baselineVsBare: baseline.eventsPerSec / bare.eventsPerSec, helVsBaseline: hel.eventsPerSec / baseline.eventsPerSec, baselineCpuVsBare: cpuVsBare(baseline) }),
    });
  }
  const withBaseline = rounds.filter((r) => r.baseline !== undefined);
  return {
    events: plan.events,
    rounds,
    median: {
      helVsBare: median(rounds.map((r) => r.helVsBare)),
      ...medianOf(
        'helCpuVsBare',
        rounds.map((r) => r.helCpuVsBare),
      ),
      ...medianOf(
        'baselineCpuVsBare',
        rounds.map((r) => r.baselineCpuVsBare),
      ),
      ...(withBaseline.length === 0 ? {} : { baselineVsBare: median(withBaseline.map((r) => r.baselineVsBare!)), helVsBaseline: median(withBaseline.map((r) => r.helVsBaseline!)) }),
    },
    peakRssMb: {
      hel: Math.max(...rounds.map((r) => r.hel.peakRssMb)),
      bare: Math.max(...rounds.map((r) => r.bare.peakRssMb ?? 0)),
      ...(withBaseline.length === 0 ? {} : { baseline: Math.max(...withBaseline.map((r) => r.baseline!.peakRssMb)) }),
    },
    ...(plan.baseline === undefined ? {} : { baseline: resolve(plan.baseline) }),
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** One line per round and the medians, for the terminal. */
export function renderThroughput(result: ThroughputResult): string {
  const lines = [`${int(result.events)} events per run; events/s (peak RSS); load average before → after each round`];
  for (const r of result.rounds) {
    const parts = [`hel ${int(r.hel.eventsPerSec)} (${r.hel.peakRssMb.toFixed(1)} MB)`];
    if (r.baseline) parts.push(`baseline ${int(r.baseline.eventsPerSec)} (${r.baseline.peakRssMb.toFixed(1)} MB)`);
    parts.push(`bare ${int(r.bare.eventsPerSec)} (${(r.bare.peakRssMb ?? 0).toFixed(1)} MB)`);
    const ratios = [`hel/bare ${r.helVsBare.toFixed(3)}`, ...(r.baselineVsBare === undefined ? [] : [`baseline/bare ${r.baselineVsBare.toFixed(3)}`, `hel/baseline ${r.helVsBaseline!.toFixed(3)}`])];
    if (r.helCpuVsBare !== undefined) ratios.push(`CPU per event hel/bare ${r.helCpuVsBare.toFixed(2)}${r.baselineCpuVsBare === undefined ? '' : `, baseline/bare ${r.baselineCpuVsBare.toFixed(2)}`}`);
    lines.push(`round ${r.round}: ${parts.join(', ')}; ${ratios.join(', ')}; load ${r.load[0].toFixed(2)} → ${r.load[1].toFixed(2)}`);
  }
  const m = result.median;
  const cpu =
    m.helCpuVsBare === undefined ? '' : `; CPU per event hel/bare ${m.helCpuVsBare.toFixed(2)}${m.baselineCpuVsBare === undefined ? '' : `, baseline/bare ${m.baselineCpuVsBare.toFixed(2)}`}`;
  lines.push(`median: hel/bare ${m.helVsBare.toFixed(3)}${m.baselineVsBare === undefined ? '' : `, baseline/bare ${m.baselineVsBare.toFixed(3)}, hel/baseline ${m.helVsBaseline!.toFixed(3)}`}${cpu}`);
  const rss = result.peakRssMb;
  lines.push(`highest peak RSS: hel ${rss.hel.toFixed(1)} MB${rss.baseline === undefined ? '' : `, baseline ${rss.baseline.toFixed(1)} MB`}, bare ${rss.bare.toFixed(1)} MB`);
  return lines.join('\n');
}
