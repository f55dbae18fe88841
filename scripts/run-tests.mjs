#!/usr/bin/env node
// Runs every compiled test file with node's test runner and prints its summary plus a plain
// "N passed, N failed" line. Node 20's --test does not expand globs, so the files are listed here.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const filter = process.argv.slice(2);
// tsc never deletes what it emitted before: a test file that was moved or removed leaves its old
// compiled copy behind, which must not run (twice, or from a path whose relative imports broke).
let files = findTests('dist/test')
  .filter((f) => existsSync(f.replace(/^dist\//, '').replace(/\.js$/, '.ts')))
  .sort();
if (filter.length > 0) files = files.filter((f) => filter.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('no test files found under dist/test (did tsc run?)');
  process.exit(1);
}

const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=4', ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, HEL_LOG_LEVEL: process.env.HEL_LOG_LEVEL ?? 'warn' },
});
// The spec reporter prints its summary before the list of failures, so remember the last
// value of each counter wherever it appears in the stream.
const counts = { pass: '0', fail: '0', skipped: '0' };
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (pending + chunk.toString()).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^ℹ (pass|fail|skipped) (\d+)/.exec(line);
    if (m) counts[m[1]] = m[2];
  }
});
child.on('close', (code) => {
  const { pass, fail, skipped } = counts;
  console.log(`${pass} passed, ${fail} failed, ${skipped} skipped`);
  process.exit(code ?? 1);
});
