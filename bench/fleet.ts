/**
 * `npm run bench -- --fleet`: the shared-state cases of issue 15, run on their own (they need a
 * PostgreSQL cluster, made and removed here): 1 instance against 3 on 300 sources sharing one
 * database, the cost of one checkpoint in PostgreSQL against SQLite, and the takeover after a
 * `kill -9` of one of 3 instances mid-backfill (its time, and duplicates and losses across the outputs).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { countLines } from './files.js';
import { HEL_BIN, writeHelConfig, type BenchSource } from './hel-cases.js';
import { measure } from './measure.js';
import { diffStats, startServer, type BenchServer } from './server-process.js';
import { startPostgres, type PgCluster } from '../test/helpers/postgres.js';
import { PostgresStateStore } from '../src/state/postgres/store.js';
import { SqliteStateStore } from '../src/state/sqlite.js';
import type { StateStore } from '../src/state/store.js';

interface FleetRun {
  instances: number;
  sources: number;
  events: number;
  requests: number;
  wallMs: number;
  eventsPerSec: number;
}

/** `instances` processes of `hel run --once` on one config and one database; wall time until the last exits. */
async function runFleet(server: BenchServer, cluster: PgCluster, dir: string, instances: number, sources: BenchSource[]): Promise<FleetRun> {
  const db = await cluster.createDatabase();
  const config = join(dir, `fleet-${instances}.yaml`);
  writeHelConfig(config, server, sources, join(dir, 'unused.db'));
  const yaml = parse(readFileSync(config, 'utf8')) as { global: Record<string, unknown> };
  yaml.global.state = { backend: 'postgres', url: db };
  writeFileSync(config, stringify(yaml));
  const before = await server.stats();
  const started = performance.now();
  const outputs = Array.from({ length: instances }, (_, i) => join(dir, `fleet-${instances}-${i}.ndjson`));
  const runs = await Promise.all(
    outputs.map((output) => measure(HEL_BIN, ['run', '--once', '--config', config, '--output', output], { env: { HEL_BENCH_TOKEN: 'bench-token' }, timeoutMs: 15 * 60_000, dir, probe: false })),
  );
  const wallMs = performance.now() - started;
  for (const m of runs) if (m.code !== 0) throw new Error(`hel run --once (fleet of ${instances}) exited with ${m.code}:\n${m.stderr.slice(-2000)}`);
  const served = diffStats(await server.stats(), before);
  let events = 0;
  for (const o of outputs) events += await countLines(o);
  const expected = sources.reduce((n, s) => n + s.events, 0);
  if (events !== expected) throw new Error(`the fleet of ${instances} wrote ${events} events, expected ${expected}`);
  for (const o of outputs) rmSync(o, { force: true });
  return { instances, sources: sources.length, events, requests: served.requests, wallMs, eventsPerSec: (events / wallMs) * 1000 };
}

interface CheckpointCost {
  backend: string;
  commits: number;
  idsPerCommit: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** One page's checkpoint (position keys plus `ids` dedupe ids) `commits` times, one after the other. */
async function checkpointCost(backend: string, store: StateStore, commit: (source: string, i: number, ids: string[]) => Promise<void>, commits: number, ids: number): Promise<CheckpointCost> {
  const samples: number[] = [];
  for (let i = 0; i < commits; i++) {
    const page = Array.from({ length: ids }, (_, j) => `evt-${i}-${j}`);
    const t0 = performance.now();
    await commit('bench-source', i, page);
    samples.push(performance.now() - t0);
  }
  await store.close();
  const sorted = [...samples].sort((a, b) => a - b);
  return { backend, commits, idsPerCommit: ids, meanMs: samples.reduce((a, b) => a + b, 0) / commits, p50Ms: sorted[Math.floor(commits / 2)]!, p99Ms: sorted[Math.floor(commits * 0.99)]! };
}

interface Takeover {
  instances: number;
  sources: number;
  leaseTtlMs: number;
  /** From the SIGKILL until every source of the killed instance is held by another. */
  takeoverMs: number;
  events: number;
  duplicates: number;
  missing: number;
}

/** The (source, uuid) of every whole line in an instance's output. */
function deliveredKeys(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const line = JSON.parse(l) as { source: string; event: { uuid: string } };
      return `${line.source} ${line.event.uuid}`;
    });
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The fleet scenario of the tests, timed: 3 `hel run` instances share the sources, one is killed
 * with SIGKILL once it has written a fifth of its share, and the others take its sources over.
 */
async function runTakeover(server: BenchServer, cluster: PgCluster, dir: string, sources: BenchSource[], ttlSecs: number): Promise<Takeover> {
  const db = await cluster.createDatabase();
  const config = join(dir, 'takeover.yaml');
  writeHelConfig(config, server, sources, join(dir, 'unused.db'));
  const yaml = parse(readFileSync(config, 'utf8')) as { global: Record<string, unknown>; sources: Record<string, { resilience: Record<string, unknown> }> };
  yaml.global.state = { backend: 'postgres', url: db, lease_ttl_secs: ttlSecs, instance_id: '${HEL_INSTANCE}' };
  // A steady backfill instead of a burst, so the kill lands in the middle of it.
  for (const s of Object.values(yaml.sources)) s.resilience = { ...s.resilience, rate_limit: { page_delay_secs: 0.05 } };
  writeFileSync(config, stringify(yaml));
  const names = ['a', 'b', 'c'];
  const output = (n: string) => join(dir, `takeover-${n}.ndjson`);
  const children = new Map(
    names.map((n) => [
      n,
      spawn(HEL_BIN, ['run', '--config', config, '--output', output(n)], { env: { ...process.env, HEL_BENCH_TOKEN: 'bench-token', HEL_INSTANCE: n, HEL_LOG_LEVEL: 'warn' }, stdio: 'ignore' }),
    ]),
  );
  const store = await PostgresStateStore.open(db, undefined);
  try {
    const holders = async () => new Map((await store.leases()).filter((l) => l.owner !== null).map((l) => [l.source, l.owner!]));
    const expected = sources.reduce((n, s) => n + s.events, 0);
    await until(async () => new Set((await holders()).values()).size === names.length && (await holders()).size === sources.length, 120_000, 'every source held, by all three instances');
    await until(() => deliveredKeys(output('b')).length >= expected / names.length / 5, 300_000, 'b a fifth into its share');
    const ofB = [...(await holders())].filter(([, o]) => o === 'b').map(([s]) => s);
    const killed = performance.now();
    children.get('b')!.kill('SIGKILL');
    await until(
      async () => {
        const now = await holders();
        return ofB.every((s) => now.has(s) && now.get(s) !== 'b');
      },
      120_000,
      "b's sources taken over",
    );
    const takeoverMs = performance.now() - killed;
    const all = () => names.flatMap((n) => deliveredKeys(output(n)));
    await until(() => new Set(all()).size >= expected, 600_000, 'every event delivered');
    for (const n of ['a', 'c']) children.get(n)!.kill('SIGTERM');
    await Promise.all(['a', 'c'].map((n) => new Promise((r) => (children.get(n)!.exitCode === null ? children.get(n)!.once('exit', r) : r(undefined)))));
    const lines = all();
    const distinct = new Set(lines).size;
    return { instances: names.length, sources: sources.length, leaseTtlMs: ttlSecs * 1000, takeoverMs, events: lines.length, duplicates: lines.length - distinct, missing: expected - distinct };
  } finally {
    for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await store.close();
  }
}

const keysOf = (i: number) => ({ cursor: `cursor-${i}`, last_event_time: new Date(1_700_000_000_000 + i * 1000).toISOString(), events_total: String(i * 100) });

export async function runFleetBench(options: { quick: boolean; log: (line: string) => void }): Promise<Record<string, unknown>> {
  const { quick, log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'hel-bench-fleet-'));
  // Durable, as in production: fsync on, so a checkpoint costs what it would.
  const cluster = await startPostgres({ durable: true });
  const server = await startServer();
  try {
    const sourceCount = quick ? 30 : 300;
    const sources = Array.from({ length: sourceCount }, (_, i) => ({ name: `tenant-${String(i + 1).padStart(3, '0')}`, events: 300, limit: 100 }));
    log(`fleet: 1 instance, ${sourceCount} sources on PostgreSQL`);
    const one = await runFleet(server, cluster, dir, 1, sources);
    log(`fleet: 3 instances, ${sourceCount} sources on PostgreSQL`);
    const three = await runFleet(server, cluster, dir, 3, sources);

    const commits = quick ? 100 : 2000;
    log(`checkpoint cost: ${commits} commits of 100 ids, SQLite then PostgreSQL`);
    const sqlitePath = join(dir, 'checkpoint.db');
    const sqlite = new SqliteStateStore(sqlitePath, { exclusive: true });
    const sqliteCost = await checkpointCost('sqlite', sqlite, (s, i, ids) => sqlite.commit(s, { keys: keysOf(i), dedupeIds: ids, dedupeCapacity: 10_000 }), commits, 100);
    const pgStore = await PostgresStateStore.open(await cluster.createDatabase(), undefined);
    const lease = (await pgStore.acquire('bench-source', 'bench', 600_000))!;
    const pgCost = await checkpointCost('postgres', pgStore, (s, i, ids) => pgStore.commitFenced(s, { keys: keysOf(i), dedupeIds: ids, dedupeCapacity: 10_000 }, lease), commits, 100);

    const takeoverSources = Array.from({ length: 60 }, (_, i) => ({ name: `fleet-${String(i + 1).padStart(2, '0')}`, events: quick ? 500 : 2000, limit: 50 }));
    log(`takeover: 3 instances, 60 sources, one killed with SIGKILL mid-backfill (lease TTL 5 s)`);
    const takeover = await runTakeover(server, cluster, dir, takeoverSources, 5);
    return {
      oneInstance: one,
      threeInstances: three,
      speedup: three.eventsPerSec / one.eventsPerSec,
      checkpoint: { sqlite: sqliteCost, postgres: pgCost, ratio: pgCost.meanMs / sqliteCost.meanMs },
      takeover,
    };
  } finally {
    server.stop();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
