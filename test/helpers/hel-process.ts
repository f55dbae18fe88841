import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { CLI, childEnv, runCli, type CliOptions, type CliResult } from './cli.js';

/** Proxy variables would send loopback traffic elsewhere; children never inherit them. */
export const NO_PROXY_ENV = { HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, NO_PROXY: '*' };

/** Writes `config` as hel.yaml in `dir` (YAML text as is, an object as JSON, which is YAML) and returns its path. */
export function writeConfig(dir: string, config: unknown, name = 'hel.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
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

/**
 * Polls `condition` until it returns a truthy value, and returns that value; fails after `timeoutMs`
 * with the last error the condition threw, if any. A synchronous condition (output so far, a
 * counter) is polled every 10 ms; one that returns a promise usually asks a running hel over HTTP,
 * so it is polled every 50 ms to leave the loaded machine to the process under test.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    let pollMs = 10;
    try {
      const result = condition();
      if (result instanceof Promise) pollMs = 50;
      const value = await result;
      if (value) return value;
    } catch (err) {
      last = err as Error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
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

/** The JSON log lines of `stderr` whose message is `msg`, in order (a line still being written is not one yet). */
export function logEntries(stderr: string, msg: string): Record<string, unknown>[] {
  const marker = `"msg":${JSON.stringify(msg)}`;
  return stderr
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.includes(marker))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The REST API token `startDaemon` gives hel (in HEL_TEST_API_TOKEN). */
export const API_TOKEN = 'test-api-token-0123456789';

export const bearer = { headers: { authorization: `Bearer ${API_TOKEN}` } };

export interface Daemon {
  child: ChildProcess;
  /** Base URL of each listener by name ("api", "metrics"), from the "listening" log lines. */
  urls: Record<string, string>;
  /** Every stderr line so far. */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * The `global:` block a `startDaemon` config needs: state in `dir`, JSON logs (startDaemon reads the
 * listeners' ports from them), the API and metrics on free loopback ports. `extra` adds keys or
 * replaces these.
 */
export function daemonGlobal(dir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { state: { path: join(dir, 'state.db') }, log_format: 'json', api: LOOPBACK_LISTENER, metrics: LOOPBACK_LISTENER, ...extra };
}

/** A listener (`api`, `metrics`) on a free loopback port. */
export const LOOPBACK_LISTENER = { enabled: true, address: '127.0.0.1', port: 0 };

/**
 * Writes `config` as hel.yaml in `dir` and starts `hel run` on it (logs at info, the API token in
 * HEL_TEST_API_TOKEN), waiting until its listeners are bound. The caller stops it; a child still
 * running when the test process exits is killed.
 */
export async function startDaemon(dir: string, config: unknown, options: { args?: string[]; listeners?: string[]; stdout?: Writable; env?: Record<string, string | undefined> } = {}): Promise<Daemon> {
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, stringify(config));
  const child = spawn(process.execPath, [CLI, 'run', '-c', path, ...(options.args ?? [])], {
    env: childEnv({ ...NO_PROXY_ENV, HEL_LOG_LEVEL: 'info', HEL_TEST_API_TOKEN: API_TOKEN, ...options.env }),
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  let stderr = '';
  const urls: Record<string, string> = {};
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout?.resume();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n')) {
      const entry = parseJsonLine(line);
      if (entry && typeof entry.listener === 'string') urls[entry.listener] = `http://${String(entry.address)}:${String(entry.port)}`;
    }
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.on('exit', () => process.off('exit', killOnExit));
  const wanted = options.listeners ?? ['api', 'metrics'];
  try {
    await Promise.race([
      waitFor(() => wanted.every((w) => urls[w] !== undefined), 30_000, 'the listening log lines'),
      exited.then((code) => {
        throw new Error(`hel exited with ${code} before listening:\n${stderr}`);
      }),
    ]);
  } catch (err) {
    // Nobody holds a handle to stop it: a child left running would keep the test process alive.
    child.kill('SIGKILL');
    throw err;
  }
  return {
    child,
    urls,
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** GET (or `init`) `url` and parse the JSON answer. */
export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
