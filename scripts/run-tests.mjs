#!/usr/bin/env node
// Runs every compiled test file with node's test runner and prints its summary plus a plain
// "N passed, N failed" line. Node 20's --test does not expand globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
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
let files = findTests('dist/test').sort();
if (filter.length > 0) files = files.filter((f) => filter.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('no test files found under dist/test (did tsc run?)');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=4', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HEL_LOG_LEVEL: process.env.HEL_LOG_LEVEL ?? 'warn' } },
);
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const pass = /ℹ pass (\d+)/.exec(tail)?.[1] ?? '0';
  const fail = /ℹ fail (\d+)/.exec(tail)?.[1] ?? '0';
  const skipped = /ℹ skipped (\d+)/.exec(tail)?.[1] ?? '0';
  console.log(`${pass} passed, ${fail} failed, ${skipped} skipped`);
  process.exit(code ?? 1);
});
