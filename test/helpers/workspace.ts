import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CliResult } from './cli.js';
import { hel, parseLines, writeConfig, type Line } from './hel-process.js';
import type { Cleanups } from './loopback.js';
import { tempDir } from './tmp.js';

/** Each test runs the CLI several times in a row; a loaded machine must not turn that into a SIGKILL. */
export const CLI_TIMEOUT_MS = 120_000;

export interface Workspace {
  dir: string;
  config: string;
  /** `hel ARGS -c CONFIG` with this workspace's state file and `env`. */
  hel(args: string[], env: Record<string, string>): Promise<CliResult>;
  /** `hel run --once` that must exit 0; the run and its NDJSON lines. */
  runOnce(env: Record<string, string>): Promise<CliResult & { lines: Line[] }>;
}

/** A temporary directory with hel.yaml (an object, or YAML text as written in the docs). */
export function workspace(t: { after(fn: () => void): void }, config: unknown): Workspace {
  const dir = tempDir(t);
  const path = writeConfig(dir, config);
  const run = (args: string[], env: Record<string, string>) => hel([...args, '-c', path, ...(args[0] === 'validate' ? [] : ['--state', join(dir, 'state.db')])], { env, timeoutMs: CLI_TIMEOUT_MS });
  return {
    dir,
    config: path,
    hel: run,
    async runOnce(env) {
      const result = await run(['run', '--once'], env);
      assert.equal(result.code, 0, result.stderr);
      return { ...result, lines: parseLines(result.stdout) };
    },
  };
}

/** Awaits a started fake (a vendor API, a receiver) and closes it when the test ends. */
export async function closedAfter<F extends { close(): unknown }>(t: Cleanups, starting: Promise<F>): Promise<F> {
  const fake = await starting;
  t.after(() => fake.close());
  return fake;
}
