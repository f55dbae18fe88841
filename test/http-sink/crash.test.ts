import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents, offsetOf, type FeedEvent } from '../helpers/fake-api.js';
import { SqliteStateStore } from '../../src/state/sqlite.js';
import { startHel, waitFor, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { ElasticsearchFake } from './fakes/elasticsearch.js';
import { NdjsonReceiver } from './fakes/ndjson-receiver.js';
import { prng, type LoopbackReceiver } from './fakes/receiver.js';
import { feedSource } from './harness.js';

/** HEL_HTTP_CRASH_EVENTS=200000 runs the full-size backfill; the default (60,000, kills within 60 ms of a run's first delivery so that every kill lands on an idle machine too) keeps CI quick. */
const TOTAL = Number(process.env.HEL_HTTP_CRASH_EVENTS ?? 60_000);
const PAGE = 100;
const KILLS = 20;
const MAX_RUNS = 80;

interface Outcome {
  kills: number;
  runs: number;
  seed: number;
}

/**
 * Runs `hel run --once` into `receiver`, SIGKILLs it at KILLS random moments and restarts until
 * a run completes. After every kill the committed cursor is compared with what the receiver
 * holds: every event before the cursor must already be stored there.
 */
async function backfillWithKills(t: { after(fn: () => unknown): void }, receiver: LoopbackReceiver, output: Record<string, unknown>, stored: () => Set<string>, events: FeedEvent[]): Promise<Outcome> {
  const seed = Number(process.env.HEL_CRASH_SEED ?? Date.now() % 1_000_000);
  const random = prng(seed);
  const api = await fakeApi(t, cursorFeed(events, PAGE));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    global: { output: { http: output } },
    sources: { audit: feedSource(api.url, PAGE) },
  });
  const state = join(dir, 'st.db');
  let kills = 0;
  for (let run = 1; run <= MAX_RUNS; run++) {
    const before = receiver.requests;
    const proc = startHel(t, ['run', '--once', '-q', '-c', config, '--state', state, '--output', receiver.url]);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void proc.exited.then((e) => (exit = e));
    if (kills < KILLS) {
      await waitFor(() => receiver.requests > before || exit !== undefined, 30_000, `run ${run}'s first delivery (seed ${seed})`);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 60)));
      if (exit === undefined) {
        proc.child.kill('SIGKILL');
        kills++;
      }
    }
    const result = await proc.exited;
    const committed = offsetOf(await committedCursor(state));
    const have = stored();
    const ahead = events.slice(0, committed).filter((e) => !have.has(e.uuid));
    assert.deepEqual(ahead.slice(0, 3), [], `run ${run}: the cursor (${committed}) passed ${ahead.length} events the receiver does not have (seed ${seed})`);
    if (result.signal === 'SIGKILL') continue;
    assert.equal(result.code, 0, `run ${run} failed (seed ${seed}): ${proc.stderr()}`);
    assert.equal(committed, TOTAL);
    return { kills, runs: run, seed };
  }
  throw new Error(`no run completed within ${MAX_RUNS} runs (seed ${seed})`);
}

/** The cursor the killed run left committed, read in-process (a `hel state show` per kill is slow). */
async function committedCursor(path: string): Promise<string | undefined> {
  const store = new SqliteStateStore(path, { exclusive: false });
  try {
    return (await store.load('audit')).keys.cursor;
  } finally {
    await store.close();
  }
}

test(`Elasticsearch _bulk: SIGKILL at ${KILLS} random moments of a ${TOTAL}-event backfill with dedupe: 0 missing, 0 duplicates in the index`, async (t) => {
  const es = await new ElasticsearchFake().start();
  t.after(() => es.stop());
  const events = makeEvents(TOTAL);
  const outcome = await backfillWithKills(t, es, { format: 'elasticsearch_bulk', index: 'hel-%Y.%m' }, () => new Set(es.documents().map((d) => (d.event as { uuid: string }).uuid)), events);
  assert.ok(outcome.kills >= KILLS, `only ${outcome.kills} kills landed (seed ${outcome.seed})`);
  const docs = es.documents();
  // Documents are keyed by _id, so a duplicate can only be the same event under another id.
  const uuids = docs.map((d) => (d.event as { uuid: string }).uuid);
  assert.equal(new Set(uuids).size, uuids.length, `duplicates in the index (seed ${outcome.seed})`);
  const present = new Set(uuids);
  const missing = events.filter((e) => !present.has(e.uuid));
  assert.equal(missing.length, 0, `missing events (seed ${outcome.seed})`);

  t.diagnostic(`seed ${outcome.seed}: ${outcome.runs} runs, ${outcome.kills} kills, ${docs.length} documents`);
});

test(`plain NDJSON over HTTP: SIGKILL at ${KILLS} random moments: 0 missing, at most the page in flight repeated per kill`, async (t) => {
  const r = await new NdjsonReceiver().start();
  t.after(() => r.stop());
  const events = makeEvents(TOTAL);
  const outcome = await backfillWithKills(t, r, { format: 'ndjson' }, () => new Set(r.counts().keys()), events);
  assert.ok(outcome.kills >= KILLS, `only ${outcome.kills} kills landed (seed ${outcome.seed})`);
  const counts = r.counts();
  const missing = events.filter((e) => !counts.has(e.uuid));
  assert.equal(missing.length, 0, `missing events (seed ${outcome.seed})`);
  const repeats = r.lines.length - TOTAL;
  assert.ok(repeats <= outcome.kills * PAGE, `${repeats} repeated lines after ${outcome.kills} kills exceed one page per kill (seed ${outcome.seed})`);
  t.diagnostic(`seed ${outcome.seed}: ${outcome.runs} runs, ${outcome.kills} kills, ${repeats} repeated lines`);
});
