import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, childEnv } from './cli.js';
import { cursorFeed, fakeApi, feedSource, type FeedEvent } from './fake-api.js';
import { NO_PROXY_ENV, startHel, waitFor, writeConfig, type HelChild } from './hel-process.js';
import { tempDir } from './tmp.js';

/** Small seeded PRNG (mulberry32), so a failure can be replayed with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** The seed of a crash test: HEL_CRASH_SEED to replay one, else the clock. */
export function crashSeed(): number {
  return Number(process.env.HEL_CRASH_SEED ?? Date.now() % 1_000_000);
}

/**
 * `hel ARGS` with stdout through `cat >> output`, as `hel run … | cat >> out` in a shell: a kill
 * of hel leaves cat to drain the pipe into the file and exit.
 */
export function startHelThroughCat(t: { after(fn: () => unknown): void }, args: string[], output: string): HelChild {
  const fd = openSync(output, 'a');
  const cat = spawn('cat', [], { stdio: ['pipe', fd, 'inherit'] });
  closeSync(fd);
  const env = childEnv({ HEL_LOG_LEVEL: 'warn', ...NO_PROXY_ENV });
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', cat.stdin!, 'pipe'] });
  cat.stdin!.destroy();
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const catDone = new Promise<void>((resolve) => cat.on('close', () => resolve()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => void catDone.then(() => resolve({ code, signal })));
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child: child as unknown as HelChild['child'], stdout: () => '', stderr: () => err, exited };
}

/** `hel ARGS >> output`: stdout is the regular file itself, opened for appending (no pipe between). */
export function startHelAppendingTo(t: { after(fn: () => unknown): void }, args: string[], output: string): HelChild {
  const fd = openSync(output, 'a');
  const env = childEnv({ HEL_LOG_LEVEL: 'warn', ...NO_PROXY_ENV });
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child: child as unknown as HelChild['child'], stdout: () => '', stderr: () => err, exited };
}

/** How a run of hel ended. */
export type RunResult = { code: number | null; signal: NodeJS.Signals | null };

export interface CrashRun {
  runs: number;
  kills: number;
}

/** Progress steps per kill for `kills` kills over `pages` pages: 1..40, at most half the pages spent on kills. */
export function stepsPerKill(pages: number, kills: number): number {
  return Math.max(1, Math.min(40, Math.floor(pages / kills / 2)));
}

export interface CrashOptions {
  /** The API's requests so far: a run's first one ends its start-up. */
  requests: () => number;
  /** The kills to land; with `stopAtFirstCompletion`, the most to try. */
  kills: number;
  /** The longest random delay before a kill (after the progress step it waits for, or after the start). */
  maxDelayMs: number;
  /** The shortest such delay (default 0). */
  minDelayMs?: number;
  random: () => number;
  seed: number;
  start: () => HelChild;
  maxRuns?: number;
  /** Every third kill lands during start-up, before the run's first request (default true). */
  startupKills?: boolean;
  /**
   * The first run that exits 0 ends the loop even if fewer than `kills` kills landed: for a backfill
   * short enough to finish before every kill is spent.
   */
  stopAtFirstCompletion?: boolean;
  /** Runs started this long after the first one are not killed any more (default: no limit). */
  killWindowMs?: number;
  /**
   * Kill by progress instead of by time: after a random number (1..`maxSteps`) of this run's steps —
   * `count()` is a running total, e.g. the receiver's deliveries. A fast machine then cannot finish
   * the backfill before the kills are spent, nor a loaded one exit before a kill lands.
   * Without it, the step is the run's first request to the API.
   */
  progress?: { count: () => number; maxSteps: number };
  /** Called after every run, killed or not (for checks such as "no cursor is ahead of delivery"). */
  afterRun?: (run: number, result: RunResult) => void | Promise<void>;
}

/**
 * Starts hel again and again, SIGKILLing it at random moments — every third kill during start-up
 * (before its first request) unless `startupKills` is false, the others after a random amount of
 * progress plus `minDelayMs`..`maxDelayMs` — until `kills` kills are done; then lets it finish.
 * Fails if a run that was not killed exits non-zero, or if no run completes within `maxRuns`.
 */
export async function crashUntilDone(options: CrashOptions): Promise<CrashRun> {
  const { requests, random, seed } = options;
  const minDelayMs = options.minDelayMs ?? 0;
  const killsAtStartup = options.startupKills ?? true;
  const killUntil = Date.now() + (options.killWindowMs ?? Infinity);
  let kills = 0;
  const maxRuns = options.maxRuns ?? options.kills * 3 + 10;
  for (let run = 0; run < maxRuns; run++) {
    const requestsBefore = requests();
    const stepsBefore = options.progress?.count() ?? 0;
    const proc = options.start();
    let exit: RunResult | undefined;
    void proc.exited.then((e) => (exit = e));
    if (kills < options.kills && Date.now() < killUntil) {
      const delay = minDelayMs + Math.floor(random() * (options.maxDelayMs - minDelayMs));
      if (killsAtStartup && kills % 3 === 2) {
        // During start-up: after the delay or at the first request, whichever comes first.
        const until = Date.now() + delay;
        await waitFor(() => Date.now() >= until || requests() > requestsBefore || exit !== undefined, 60_000, `run ${run}'s start-up (seed ${seed})`);
      } else {
        const progress = options.progress;
        if (progress) {
          const steps = stepsBefore + 1 + Math.floor(random() * progress.maxSteps);
          await waitFor(() => progress.count() >= steps || exit !== undefined, 120_000, `run ${run}'s step ${steps - stepsBefore} (seed ${seed})`);
        } else {
          await waitFor(() => requests() > requestsBefore || exit !== undefined, 60_000, `run ${run}'s first request (seed ${seed})`);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
      if (exit === undefined) {
        proc.child.kill('SIGKILL');
        kills++;
      }
    }
    const result = await proc.exited;
    await options.afterRun?.(run, result);
    if (result.signal === 'SIGKILL') continue;
    if (result.code !== 0) throw new Error(`run ${run} failed with ${result.code} (seed ${seed}): ${proc.stderr()}`);
    if (kills >= options.kills || options.stopAtFirstCompletion) return { runs: run + 1, kills };
  }
  throw new Error(`not done after ${maxRuns} runs (seed ${seed}, ${kills} kills)`);
}

export interface SinkBackfillOptions {
  /** The feed, served `page` events a page by a cursor API. */
  events: FeedEvent[];
  page: number;
  kills: number;
  /** `global.output` of the config: the sink under test. */
  output: Record<string, unknown>;
  /** The `--output` argument: the receiver's URL. */
  target: string;
  /** The source's name (default `audit`). */
  source?: string;
  /** The source's dedupe block; false for none (default: on uuid). */
  dedupe?: Record<string, unknown> | false;
  /** More `hel run` arguments. */
  args?: string[];
  env?: Record<string, string>;
  /** The running total a kill waits on (default: the API's requests, one a page). */
  progress?: () => number;
  /** Called after every run, killed or not, with the state file and the seed for its messages. */
  afterRun?: (run: number, result: RunResult, context: { state: string; seed: number }) => void | Promise<void>;
}

export interface SinkBackfill {
  seed: number;
  kills: number;
  runs: number;
  /** Requests the API served over all runs. */
  requests: number;
}

/**
 * `hel run --once` of a cursor feed into the sink of `output`, SIGKILLed at `kills` random moments —
 * a third during start-up, the others after 1..n of the run's steps and up to 40 ms more, which puts
 * the kill anywhere in a page's delivery — and restarted until done. At most half the pages are
 * spent on kills, so a fast machine cannot finish before the kills are spent.
 */
export async function backfillWithKills(t: { after(fn: () => unknown): void }, o: SinkBackfillOptions): Promise<SinkBackfill> {
  const seed = crashSeed();
  const api = await fakeApi(t, cursorFeed(o.events, o.page));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    global: { output: o.output },
    sources: { [o.source ?? 'audit']: feedSource(api.url, o.page, o.dedupe) },
  });
  const state = join(dir, 'state.db');
  const requests = () => api.requests.length;
  const progress = { count: o.progress ?? requests, maxSteps: stepsPerKill(o.events.length / o.page, o.kills) };
  const start = () => startHel(t, ['run', '--once', ...(o.args ?? []), '-c', config, '--output', o.target, '--state', state], { env: o.env });
  const afterRun = o.afterRun;
  const outcome = await crashUntilDone({
    requests,
    kills: o.kills,
    maxDelayMs: 40,
    random: prng(seed),
    seed,
    progress,
    start,
    afterRun: afterRun && ((run, result) => afterRun(run, result, { state, seed })),
  });
  return { seed, kills: outcome.kills, runs: outcome.runs, requests: requests() };
}
