import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { fakeApi } from '../helpers/fake-api.js';
import type { Cleanups } from '../helpers/loopback.js';
import { startHel, waitFor } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

// A GET API without pagination that answers with whatever `respond` returns for the n-th request.
async function api(t: Cleanups, respond: (n: number) => unknown[]): Promise<{ url: string; requests: () => number }> {
  const server = await fakeApi(t, (req) => ({ body: { items: respond(req.n) } }));
  return { url: `${server.url}/events`, requests: () => server.requests.length };
}

function config(dir: string, url: string, extra = ''): string {
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, `global:\n  state: {path: ${join(dir, 'state.db')}}\nsources:\n  src:\n    url: ${url}\n    schedule: {interval_secs: 0.05}\n    dedupe: {id_path: id${extra}}\n`);
  return path;
}

const ids = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { event: { id?: string } }).event.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ id: `e${from + i}` }));

test('duplicates within and across polls are dropped and counted; unkeyed events are emitted', async (t) => {
  const dir = tempDir(t);
  const server = await api(t, (n) => (n === 0 ? [...range(0, 5), { id: 'e2' }, { other: 1 }] : [...range(3, 8), { id: 7 }]));
  const cfg = config(dir, server.url);
  const first = await runCli(['run', '--once', '-c', cfg]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(ids(first.stdout), ['e0', 'e1', 'e2', 'e3', 'e4', undefined]);
  assert.match(first.stderr, /src: ok, 1 page, 6 events, 1 duplicates dropped/);
  const second = await runCli(['run', '--once', '-c', cfg]);
  assert.deepEqual(ids(second.stdout), ['e5', 'e6', 'e7', 7 as unknown as string], 'a non-string id is unkeyed and emitted');
  assert.match(second.stderr, /2 duplicates dropped/);
});

test('the window survives a SIGKILL: a restarted run does not re-emit what was committed', async (t) => {
  const dir = tempDir(t);
  // Every poll re-serves the last ten events plus one new one, as an at-least-once API may.
  const server = await api(t, (n) => range(n, n + 11));
  const cfg = config(dir, server.url);
  const out = join(dir, 'out.ndjson');
  const running = startHel(t, ['run', '-c', cfg, '--output', out], { env: { HEL_LOG_LEVEL: 'error' } });
  await waitFor(() => server.requests() >= 4 || running.child.exitCode !== null, 10_000, 'four polls');
  assert.equal(running.child.exitCode, null, `hel run stopped before the kill: ${running.stderr()}`);
  running.child.kill('SIGKILL');
  await running.exited;
  const before = ids(readFileSync(out, 'utf8'));
  assert.ok(before.length >= 11);

  const again = await runCli(['run', '--once', '-c', cfg, '--output', out]);
  assert.equal(again.code, 0, again.stderr);
  const all = ids(readFileSync(out, 'utf8'));
  const counts = new Map<string | undefined, number>();
  for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
  // At most the page in flight at the kill can repeat; everything committed before it never does.
  const repeated = [...counts.entries()].filter(([, c]) => c > 1).map(([id]) => id);
  assert.ok(repeated.length <= 11, `only the page in flight may repeat, got ${repeated.length}`);
  const served = server.requests() - 1;
  assert.deepEqual(
    [...counts.keys()].sort(),
    range(0, served + 11)
      .map((e) => e.id)
      .sort(),
    'every event delivered, none lost',
  );
});

test('memory and disk stay bounded by capacity with 10x capacity distinct ids', async (t) => {
  const dir = tempDir(t);
  const capacity = 100;
  const server = await api(t, (n) => (n === 0 ? range(0, 10 * capacity) : n === 1 ? range(10 * capacity - capacity, 10 * capacity) : [{ id: 'e0' }]));
  const cfg = config(dir, server.url, `, capacity: ${capacity}`);
  const first = await runCli(['run', '--once', '-c', cfg]);
  assert.equal(ids(first.stdout).length, 10 * capacity);
  const state = await runCli(['state', 'show', 'src', '-c', cfg, '--json']);
  assert.equal((JSON.parse(state.stdout) as Record<string, { dedupe_window: number }>).src?.dedupe_window, capacity);
  const recent = await runCli(['run', '--once', '-c', cfg]);
  assert.deepEqual(ids(recent.stdout), [], 'the most recent `capacity` ids are still known');
  const evicted = await runCli(['run', '--once', '-c', cfg]);
  assert.deepEqual(ids(evicted.stdout), ['e0'], 'an id older than the window is emitted again');
});

test('hel state reset clears the window with the cursor', async (t) => {
  const dir = tempDir(t);
  const server = await api(t, () => range(0, 3));
  const cfg = config(dir, server.url);
  assert.equal(ids((await runCli(['run', '--once', '-c', cfg])).stdout).length, 3);
  assert.equal(ids((await runCli(['run', '--once', '-c', cfg])).stdout).length, 0);
  assert.equal((await runCli(['state', 'reset', 'src', '-c', cfg])).code, 0);
  assert.equal(ids((await runCli(['run', '--once', '-c', cfg])).stdout).length, 3);
});
