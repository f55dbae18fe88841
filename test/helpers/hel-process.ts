import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, childEnv, runCli, type CliOptions, type CliResult } from './cli.js';

/** Proxy variables would send loopback traffic elsewhere; children never inherit them. */
export const NO_PROXY_ENV = { HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, NO_PROXY: '*' };

/** Writes `config` as hel.yaml (JSON is YAML) in `dir` and returns its path. */
export function writeConfig(dir: string, config: unknown, name = 'hel.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** `hel ARGS` to completion, without proxies, with extra env. */
export function hel(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(args, { ...options, env: { ...NO_PROXY_ENV, ...options.env } });
}

export interface HelChild {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `hel ARGS` and leaves it running, for signals and kills. Killed when the test ends. */
export function startHel(t: { after(fn: () => unknown): void }, args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): HelChild {
  const env = childEnv({ HEL_LOG_LEVEL: 'warn', ...NO_PROXY_ENV, ...options.env });
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the value, or rejects if it takes longer than `ms`. */
export async function within<T>(ms: number, promise: Promise<T>, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Line {
  ts: string;
  endpoint: string;
  event: Record<string, unknown>;
  meta: Record<string, unknown>;
  [label: string]: unknown;
}

/** Parses NDJSON strictly: every line must be JSON. */
export function parseLines(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, i) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new Error(`line ${i + 1} is not JSON: ${l.slice(0, 200)}`);
      }
    });
}

/** Saved state of every source, through `hel state show --json`. */
export async function stateOf(statePath: string): Promise<Record<string, Record<string, unknown>>> {
  const r = await hel(['state', 'show', '--json', '--state', statePath]);
  if (r.code !== 0) throw new Error(`hel state show failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
}

/** Collects cleanups for suite-level hooks (whose context has no `after`); call `run` in `after`. */
export function cleanupScope(): { after(fn: () => unknown): void; run(): Promise<void> } {
  const fns: (() => unknown)[] = [];
  return {
    after: (fn) => void fns.push(fn),
    async run() {
      for (const fn of fns.reverse()) await fn();
    },
  };
}
