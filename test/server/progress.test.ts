import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { stringify } from 'yaml';
import { renderProgress } from '../../src/cli/progress.js';
import { CLI, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { SOURCE_SECRET, cursorSource, failingSource } from '../helpers/server-config.js';
import { startCursorApi, startFailingApi } from '../helpers/loopback-apis.js';

const ERASE_LINE_UP = '\x1b[1A\x1b[2K';

async function onceConfig(t: TestContext): Promise<string> {
  const [cursor, broken] = await Promise.all([startCursorApi(t), startFailingApi(t, 500)]);
  const dir = tempDir(t);
  const path = join(dir, 'hel.yaml');
  const config = {
    global: { state: { path: join(dir, 'state.db') }, output: { path: join(dir, 'events.ndjson') } },
    sources: { audit: cursorSource(cursor), broken: failingSource(broken, 1000) },
  };
  writeFileSync(path, stringify(config));
  return path;
}

/**
 * Runs the CLI on a real pseudo-terminal (util-linux `script`), so stderr.isTTY is true in hel.
 * Asynchronous on purpose: the loopback APIs live in this process and must keep answering.
 */
function runOnTty(args: string[]): Promise<{ code: number | null; transcript: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qefc', `stty cols 120 rows 40; exec ${command}`, '/dev/null'], {
    env: { ...process.env, AUDIT_API_TOKEN: SOURCE_SECRET, HEL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let transcript = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (transcript += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, transcript });
    }),
  );
}

void test('run --once on a terminal draws live progress, then a summary table; log lines stay whole', async (t) => {
  const config = await onceConfig(t);
  const { code, transcript } = await runOnTty(['run', '--once', '-c', config]);
  assert.equal(code, 1, `one source failed, so exit 1:\n${transcript}`);
  assert.ok(transcript.includes(ERASE_LINE_UP), 'the progress block is redrawn in place');
  assert.match(transcript, /audit +\d+ pages? +\d+ events? +[\d,]+\/s/);
  const final = transcript.split(ERASE_LINE_UP).at(-1)!;
  assert.match(final, /SOURCE +RESULT +PAGES +EVENTS +DUPLICATES +NEWEST EVENT +DETAIL/);
  assert.match(final, /audit +ok +2 +3 +1 +\d{4}-\d\d-\d\dT[\d:.]+Z +/);
  assert.match(final, /broken +FAILED +0 +0 +0 +- +HTTP 500/);
  assert.match(final, /3 events from 2 sources in [\d.]+ s; 1 not ok/);
  assert.match(transcript, /poll failed: HTTP 500[^\n]*\n/, 'the error log line is printed whole');
});

void test('run --once -q on a terminal prints neither progress nor the table', async (t) => {
  const config = await onceConfig(t);
  const { code, transcript } = await runOnTty(['run', '--once', '-q', '-c', config]);
  assert.equal(code, 1);
  assert.ok(!transcript.includes(ERASE_LINE_UP));
  assert.doesNotMatch(transcript, /SOURCE +RESULT/);
});

void test('run --once without a terminal keeps the plain one-line-per-source summary', async (t) => {
  const config = await onceConfig(t);
  const result = await runCli(['run', '--once', '-c', config], { env: { AUDIT_API_TOKEN: SOURCE_SECRET } });
  assert.equal(result.code, 1);
  assert.ok(!result.stderr.includes('\x1b['), 'no terminal control sequences');
  assert.match(result.stderr, /^audit: ok, 2 pages, 3 events, 1 duplicates dropped/m);
  assert.match(result.stderr, /^broken: FAILED: HTTP 500/m);
});

void test('progress lines are cut to the terminal width so the in-place redraw never wraps', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  const lines = renderProgress([{ name: 'a-source-with-a-long-name', pages: 12, events: 12000, duplicates: 0, eventTime: '2026-01-01T00:00:00Z' }], now, 4000, 40);
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.length <= 39, lines[0]);
  assert.ok(lines[0]!.endsWith('…'));
  const [wide] = renderProgress([{ name: 'audit', pages: 12, events: 12000, duplicates: 0, eventTime: '2026-01-01T00:00:00Z' }], now, 4000, 200);
  assert.equal(wide, 'audit   12 pages  12,000 events  3,000/s  at 2026-01-01T00:00:00Z (1.0 d behind)');
});
