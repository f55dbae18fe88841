import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult } from '../helpers/cli.js';
import { hel, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

/** Each test runs the CLI several times in a row; a loaded machine must not turn that into a SIGKILL. */
export const CLI_TIMEOUT_MS = 120_000;

export interface Workspace {
  dir: string;
  config: string;
  /** `hel ARGS -c CONFIG` with this workspace's state file and `env`. */
  hel(args: string[], env: Record<string, string>): Promise<CliResult>;
}

/** A temporary directory with hel.yaml (an object, or YAML text as written in the docs). */
export function workspace(t: { after(fn: () => void): void }, config: unknown): Workspace {
  const dir = tempDir(t);
  let path: string;
  if (typeof config === 'string') {
    path = join(dir, 'hel.yaml');
    writeFileSync(path, config);
  } else {
    path = writeConfig(dir, config);
  }
  return {
    dir,
    config: path,
    hel: (args, env) => hel([...args, '-c', path, ...(args[0] === 'validate' ? [] : ['--state', join(dir, 'state.db')])], { env, timeoutMs: CLI_TIMEOUT_MS }),
  };
}
