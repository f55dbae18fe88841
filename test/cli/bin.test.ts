import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../helpers/cli.js';

// `npx hel` and an installed `hel` run bin/hel through a symlink npm makes (node_modules/.bin/hel).
const LAUNCHER = fileURLToPath(new URL('../../../bin/hel', import.meta.url));
const DEFAULT_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=60'];

interface Launched {
  code: number | null;
  pid: number | undefined;
  stdout: string;
  stderr: string;
  /** What the node process the launcher started saw, written by a preloaded probe. */
  seen: { pid: number; execArgv: string[]; mmapThreshold?: string };
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hel-bin-'));
  writeFileSync(
    join(dir, 'probe.mjs'),
    `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.HEL_TEST_PROBE_OUT, JSON.stringify({ pid: process.pid, execArgv: process.execArgv, mmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ }));\n`,
  );
  // Relative, as npm links bins: node_modules/.bin/hel -> ../../bin/hel.
  symlinkSync(relative(dir, LAUNCHER), join(dir, 'hel'));
  return dir;
}

function launch(dir: string, args: string[], env: Record<string, string | undefined> = {}, command = join(dir, 'hel')): Promise<Launched> {
  const out = join(dir, `seen-${Date.now()}-${Math.random()}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: childEnv({ NODE_OPTIONS: `--import=${join(dir, 'probe.mjs')}`, HEL_TEST_PROBE_OUT: out, ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seen = JSON.parse(readFileSync(out, 'utf8')) as Launched['seen'];
      resolve({ code, pid: child.pid, stdout, stderr, seen });
    });
  });
}

test('bin/hel is executable and runs the CLI through a symlink, as npm links it', async () => {
  assert.ok((statSync(LAUNCHER).mode & 0o111) !== 0, `${LAUNCHER} is not executable`);
  assert.match(readFileSync(LAUNCHER, 'utf8').split('\n')[0]!, /^#!\/bin\/sh$/);
  const dir = scratch();
  try {
    const r = await launch(dir, ['--version']);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(r.stdout.trim(), pkg.version);
    assert.equal(r.code, 0);
    // A chain: an absolute link (as a global install makes) to npm's relative one.
    symlinkSync(join(dir, 'hel'), join(dir, 'hel-global'));
    assert.equal((await launch(dir, ['--version'], {}, join(dir, 'hel-global'))).stdout.trim(), pkg.version);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin/hel starts node with the benchmarked memory settings, in place of the shell', async () => {
  const dir = scratch();
  try {
    const r = await launch(dir, ['--version'], { MALLOC_MMAP_THRESHOLD_: undefined, HEL_NODE_FLAGS: undefined });
    assert.deepEqual(r.seen.execArgv, DEFAULT_FLAGS);
    assert.equal(r.seen.mmapThreshold, '131072');
    // exec: the process the caller started is node itself, so signals reach Hel directly.
    assert.equal(r.seen.pid, r.pid);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HEL_NODE_FLAGS replaces the node flags and a MALLOC_MMAP_THRESHOLD_ already set is kept', async () => {
  const dir = scratch();
  try {
    const replaced = await launch(dir, ['--version'], { HEL_NODE_FLAGS: '--max-old-space-size=512 --stack-trace-limit=20', MALLOC_MMAP_THRESHOLD_: '65536' });
    assert.deepEqual(replaced.seen.execArgv, ['--max-old-space-size=512', '--stack-trace-limit=20']);
    assert.equal(replaced.seen.mmapThreshold, '65536');
    const none = await launch(dir, ['--version'], { HEL_NODE_FLAGS: '' });
    assert.deepEqual(none.seen.execArgv, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin/hel passes arguments through and returns the CLI exit code', async () => {
  const dir = scratch();
  try {
    const r = await launch(dir, ['validate', '--config', join(dir, 'no such dir', 'hel.yaml')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no such dir\/hel\.yaml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
