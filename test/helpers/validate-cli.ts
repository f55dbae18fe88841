import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliResult } from './cli.js';
import { tempDir } from './tmp.js';

/** Variables a developer's shell may set that would change what validate reports. */
export const CLEAN_ENV = { HEL_CONFIG: undefined, HEL_DEBUG: undefined, ONEPASSWORD_EVENTS_TOKEN: undefined } as const;

export interface Validated extends CliResult {
  /** The problem lines of a config error, without their indentation. */
  problems: string[];
}

export interface Case {
  name: string;
  yaml: string;
  env?: Record<string, string | undefined>;
  /** Every problem line `hel validate` must print, in order, exactly. */
  problems: string[];
}

/** Writes `yaml` as hel.yaml in a fresh directory and runs `hel validate -c hel.yaml` there. */
export async function validateYaml(t: { after(fn: () => void): void }, yaml: string, env: Record<string, string | undefined> = {}, args: string[] = []): Promise<Validated> {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hel.yaml'), yaml);
  const result = await runCli([...args, 'validate', '-c', 'hel.yaml'], { cwd: dir, env: { ...CLEAN_ENV, ...env }, timeoutMs: 120_000 });
  const problems = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => l.slice(2));
  return { ...result, problems };
}

export function assertNoStack(r: CliResult): void {
  assert.ok(!/^\s{4}at /m.test(r.stderr), `stack trace in stderr:\n${r.stderr}`);
}

/** Exit 2, a header with the count, exactly `expected` as problem lines, and no stack trace. */
export function assertProblems(r: Validated, expected: string[]): void {
  assert.equal(r.code, 2, `exit code ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assertNoStack(r);
  const n = expected.length;
  assert.ok(r.stderr.startsWith(`hel: config invalid (${n} problem${n === 1 ? '' : 's'}):\n`), r.stderr);
  assert.deepEqual(r.problems, expected);
  assert.equal(r.stdout, '');
}

/** Runs each case as a subtest; the parent test must allow concurrency (each spawns the real CLI). */
export async function runCases(t: TestContext, cases: Case[]): Promise<void> {
  await Promise.all(
    cases.map((c) =>
      t.test(c.name, async (st) => {
        assertProblems(await validateYaml(st, c.yaml, c.env), c.problems);
      }),
    ),
  );
}
