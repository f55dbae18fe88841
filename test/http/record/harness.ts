import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliResult } from '../../helpers/cli.js';

/** Every file under `dir`, recursively, as [path, bytes]. */
export function filesUnder(dir: string): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push([path, readFileSync(path)]);
  }
  return out;
}

/** Runs `hel run --once` with the given extra arguments; the parent's HEL_CONFIG is ignored. */
export function runOnce(config: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(['run', '--once', '--config', config, ...args], { env: { HEL_CONFIG: undefined, ...env } });
}
