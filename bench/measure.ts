import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROBE_HOOK = fileURLToPath(new URL('./probe-hook.js', import.meta.url));
const SAMPLE_MS = 50;

export interface Measured {
  code: number | null;
  wallMs: number;
  /** Peak resident set of the measured process (VmHWM at exit; sampled VmRSS as a fallback). */
  peakRssMb: number;
  cpuMs: number | undefined;
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** A scratch directory for the probe file. */
  dir: string;
  /** Preload the probe: node processes (or launchers that exec node) only. */
  probe: boolean;
}

function sampleRssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs one command to completion and measures the whole process: wall time, peak RSS, CPU. */
export function measure(command: string, args: string[], options: MeasureOptions): Promise<Measured> {
  const probeFile = join(options.dir, `probe-${process.hrtime.bigint()}.json`);
  // Through NODE_OPTIONS the probe also reaches a node started by a launcher script (bin/hel).
  const env = { ...process.env, ...options.env, ...(options.probe ? { HEL_BENCH_PROBE: probeFile, NODE_OPTIONS: `--import=${JSON.stringify(PROBE_HOOK)}` } : {}) };
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout = (stdout + c.toString()).slice(-20_000)));
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  let sampledKb = 0;
  const sampler = setInterval(() => {
    if (child.pid !== undefined) sampledKb = Math.max(sampledKb, sampleRssKb(child.pid));
  }, SAMPLE_MS);
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => {
      clearInterval(sampler);
      clearTimeout(killer);
      reject(err);
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      clearInterval(sampler);
      clearTimeout(killer);
      let probe: { vmHwmKb?: number; maxRssKb?: number; cpuUserUs?: number; cpuSystemUs?: number } = {};
      try {
        probe = JSON.parse(readFileSync(probeFile, 'utf8')) as typeof probe;
        rmSync(probeFile, { force: true });
      } catch {
        // No probe (not node, or killed): the sampled figure stands.
      }
      const peakKb = Math.max(sampledKb, probe.vmHwmKb ?? 0);
      const cpuMs = probe.cpuUserUs === undefined ? undefined : (probe.cpuUserUs + (probe.cpuSystemUs ?? 0)) / 1000;
      resolve({ code, wallMs, peakRssMb: peakKb / 1024, cpuMs, stdout, stderr });
    });
  });
}
