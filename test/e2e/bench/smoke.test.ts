import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCursor, eventPool, pageBody } from '../../../bench/pages.js';

const BENCH = fileURLToPath(new URL('../../../bench/run.js', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertRun(run: Record<string, unknown>, what: string, events: number, withRss = true): void {
  assert.equal(run.events, events, `${what}.events`);
  for (const key of ['requests', 'wallMs', 'eventsPerSec']) assert.ok(typeof run[key] === 'number' && run[key] > 0, `${what}.${key}`);
  if (withRss) assert.ok(typeof run.peakRssMb === 'number' && run.peakRssMb > 0, `${what}.peakRssMb`);
}

// A smoke test: the bench runs and reports every figure. Speed targets live in the bench itself.
void test('npm run bench --quick reports every figure as JSON', { timeout: 270_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hel-bench-smoke-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'quick.json');
  const res = await runBench(['--quick', '--json', '--out', out]);
  assert.equal(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout) as Record<string, Record<string, unknown>>;
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), r);

  assertRun(r.hel!, 'hel', 5000);
  assert.equal(r.hel!.requests, 5);
  assertRun(r.bareLoop!, 'bareLoop', 5000);
  if (r.curlJq!.available === true) assertRun(r.curlJq!, 'curlJq', 2000, false);
  else assert.ok(typeof r.curlJq!.reason === 'string', 'curlJq.reason');
  assert.ok(typeof r.ratios!.helVsBareLoop === 'number');
  assert.ok(r.ratios!.helVsCurlJq === null || typeof r.ratios!.helVsCurlJq === 'number');
  const backlog = r.backlog as { small: Record<string, unknown>; large: Record<string, unknown>; rssRatio: unknown; flat: unknown };
  assertRun(backlog.small, 'backlog.small', 1000);
  assert.ok(typeof backlog.rssRatio === 'number' && typeof backlog.flat === 'boolean');
  assertRun(r.scale!, 'scale', 3000);
  assert.equal(r.scale!.sources, 10);
  assert.ok(typeof r.validate!.medianMs === 'number' && r.validate!.medianMs > 0);
  const http = r.httpSink as unknown as { ndjson: Record<string, unknown>; bulk: Record<string, unknown>; vsFile: { ndjson: unknown; bulk: unknown } };
  assertRun(http.ndjson, 'httpSink.ndjson', 1000);
  assertRun(http.bulk, 'httpSink.bulk', 1000);
  assert.ok(typeof http.vsFile.ndjson === 'number' && typeof http.vsFile.bulk === 'number');
  assertRun(r.jetstreamSink!, 'jetstreamSink', 1000);
  const targets = r.targets as unknown as { name: string; pass: boolean }[];
  assert.equal(targets.length, 6);
  for (const target of targets) assert.equal(typeof target.pass, 'boolean', target.name);
});

void test('bench --only-sinks reports events/s through the file, HTTP NDJSON, _bulk and JetStream sinks on one backlog', { timeout: 270_000 }, async () => {
  const res = await runBench(['--only-sinks', '--quick', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout) as Record<string, Record<string, unknown>>;
  for (const name of ['file', 'ndjson', 'bulk', 'jetstream']) assertRun(r[name]!, name, 1000);
});

void test('bench --case secret reports the token_env, passphrase-store and raw-key-store runs', { timeout: 270_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hel-bench-smoke-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const res = await runBench(['--case', 'secret', '--quick', '--json', '--out', join(dir, 'secret.json')]);
  assert.equal(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout) as Record<string, Record<string, unknown>>;
  for (const name of ['env', 'passphrase', 'rawKey']) assertRun(r[name]!, name, 2000);
  assert.equal(r.passphrase!.requests, 20);
  assert.ok(typeof r.passphraseVsEnv === 'number');
});

void test('bench --case throughput runs hel, a baseline build and the bare loop in turns and reports each round with its load average', { timeout: 270_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hel-bench-throughput-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // This tree, built, stands in for the baseline checkout.
  const res = await runBench([
    '--case',
    'throughput',
    '--quick',
    '--json',
    '--rounds',
    '2',
    '--baseline',
    fileURLToPath(new URL('../../../../', import.meta.url)),
    '--out',
    join(dir, 'throughput.json'),
  ]);
  assert.equal(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout) as { rounds: Record<string, unknown>[]; median: Record<string, unknown>; peakRssMb: Record<string, unknown> };
  assert.equal(r.rounds.length, 2);
  for (const round of r.rounds) {
    for (const name of ['hel', 'baseline', 'bare']) assertRun(round[name] as Record<string, unknown>, name, 5000);
    for (const ratio of ['helVsBare', 'baselineVsBare', 'helVsBaseline']) assert.ok(typeof round[ratio] === 'number' && round[ratio] > 0, ratio);
    assert.ok(Array.isArray(round.load) && round.load.length === 2);
  }
  for (const ratio of ['helVsBare', 'baselineVsBare', 'helVsBaseline']) assert.ok(typeof r.median[ratio] === 'number', `median.${ratio}`);
  for (const name of ['hel', 'baseline', 'bare']) assert.ok(typeof r.peakRssMb[name] === 'number' && r.peakRssMb[name] > 0, `peakRssMb.${name}`);
  const refused = await runBench(['--case', 'throughput', '--quick', '--baseline', dir]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /--baseline .*: no built Hel there/);
});

void test('bench pages: cursor walk covers the backlog once, with unique uuids', () => {
  const pool = eventPool(50);
  const ids = new Set<string>();
  let position = { total: 230, limit: 100, offset: 0 };
  for (let i = 0; i < 10; i++) {
    const page = JSON.parse(pageBody(pool, position).body.toString('utf8')) as { items: { uuid: string }[]; cursor: string; has_more: boolean };
    for (const item of page.items) ids.add(item.uuid);
    if (!page.has_more) break;
    position = decodeCursor(page.cursor)!;
  }
  assert.equal(ids.size, 230);
});
