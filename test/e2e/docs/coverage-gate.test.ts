/**
 * The coverage gate docs/testing.md describes: `npm test` runs the suite under c8 with the threshold
 * the page states, and c8 as configured counts the lines child processes run, counts a file no process
 * loaded as uncovered, and fails the run below the threshold (a throwaway project in a temp dir).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../helpers/tmp.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const C8 = join(ROOT, 'node_modules/c8/bin/c8.js');

interface C8Config {
  all?: boolean;
  src?: string[];
  include?: string[];
  'check-coverage'?: boolean;
  lines?: number;
  branches?: number;
  functions?: number;
  statements?: number;
}

void test('npm test cleans dist/, then runs every test under c8 with the line threshold docs/testing.md states, and gates lines only', () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.test!, /&& c8 node scripts\/run-tests\.mjs$/);
  assert.match(scripts.test!, /^npm run lint && npm run format:check && /, 'lint and the formatter check run before the tests');
  assert.match(scripts.pretest!, /rmSync\('dist'.*&& tsc -p tsconfig\.json$/);
  const config = JSON.parse(readFileSync(join(ROOT, '.c8rc.json'), 'utf8')) as C8Config;
  assert.equal(config['check-coverage'], true);
  assert.equal(config.all, true, 'a file no test loads counts');
  assert.deepEqual(config.src, ['dist/src']);
  assert.deepEqual(config.include, ['dist/src/**/*.js']);
  const page = readFileSync(join(ROOT, 'docs/testing.md'), 'utf8');
  const stated = /at least \*\*(\d+)% of the lines\*\*/.exec(page);
  assert.ok(stated, 'docs/testing.md states the threshold');
  assert.equal(config.lines, Number(stated[1]));
  assert.deepEqual([config.branches, config.functions, config.statements], [undefined, undefined, undefined]);
});

function c8(dir: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [C8, '--config', join(dir, 'c8rc.json'), '--reports-dir', join(dir, 'coverage'), '--reporter', 'text', ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

void test('c8 counts the lines a child process runs, counts an unloaded file as 0%, and fails the run below the threshold', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'c8rc.json'), '{}');
  writeFileSync(join(dir, 'lib.mjs'), ['export function first() {', "  return 'first';", '}', '', 'export function second() {', "  return 'second';", '}', ''].join('\n'));
  writeFileSync(join(dir, 'unused.mjs'), ["export const never = 'loaded';", ''].join('\n'));
  // The child runs lib.mjs; the parent never loads it, so whatever is covered was covered in the child.
  writeFileSync(join(dir, 'child.mjs'), ["import { first, second } from './lib.mjs';", 'first();', "if (process.argv[2] === 'both') second();", ''].join('\n'));
  writeFileSync(
    join(dir, 'parent.mjs'),
    ["import { spawnSync } from 'node:child_process';", "const r = spawnSync(process.execPath, ['child.mjs', process.argv[2]], { stdio: 'inherit' });", 'process.exit(r.status ?? 1);', ''].join('\n'),
  );
  const gate = ['--include', 'lib.mjs', '--check-coverage', '--lines', '100'];

  const both = await c8(dir, [...gate, process.execPath, 'parent.mjs', 'both']);
  assert.equal(both.code, 0, both.output);
  assert.match(both.output, /lib\.mjs\s+\|\s+100 /);

  const half = await c8(dir, [...gate, process.execPath, 'parent.mjs', 'one']);
  assert.equal(half.code, 1, half.output);
  assert.match(half.output, /ERROR: Coverage for lines \([\d.]+%\) does not meet global threshold \(100%\)/);
  assert.match(half.output, /lib\.mjs\s+\|[^\n]*\|\s+6-7\s/, 'the uncovered lines are listed');

  const all = await c8(dir, ['--all', '--src', dir, '--include', 'lib.mjs', '--include', 'unused.mjs', process.execPath, 'parent.mjs', 'both']);
  assert.equal(all.code, 0, all.output);
  assert.match(all.output, /unused\.mjs\s+\|\s+0 /);
});
