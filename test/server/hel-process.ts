import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { CLI } from '../helpers/cli.js';

export interface HelProcess {
  child: ChildProcess;
  /** Base URL of each listener by name ("api", "metrics"), from the "listening" log lines. */
  urls: Record<string, string>;
  /** Every stderr line so far. */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export const API_TOKEN = 'test-api-token-0123456789';

/**
 * Writes `config` as hel.yaml in `dir` and starts `hel run` on it, waiting until its listeners are
 * bound. The caller stops it; a child still running when the test process exits is killed.
 */
export async function startHel(dir: string, config: unknown, options: { args?: string[]; listeners?: string[]; stdout?: Writable } = {}): Promise<HelProcess> {
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, stringify(config));
  const child = spawn(process.execPath, [CLI, 'run', '-c', path, ...(options.args ?? [])], {
    env: { ...process.env, HEL_LOG_LEVEL: 'info', HEL_TEST_API_TOKEN: API_TOKEN },
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  let stderr = '';
  const urls: Record<string, string> = {};
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout?.resume();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n')) {
      const entry = parseJson(line);
      if (entry && typeof entry.listener === 'string') urls[entry.listener] = `http://${String(entry.address)}:${String(entry.port)}`;
    }
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.on('exit', () => process.off('exit', killOnExit));
  const wanted = options.listeners ?? ['api', 'metrics'];
  await Promise.race([
    waitFor(() => wanted.every((w) => urls[w] !== undefined), 10_000, 'the listening log lines'),
    exited.then((code) => {
      throw new Error(`hel exited with ${code} before listening:\n${stderr}`);
    }),
  ]);
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

/** Polls `condition` every 50 ms until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (err) {
      last = err as Error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

export const bearer = { headers: { authorization: `Bearer ${API_TOKEN}` } };

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
