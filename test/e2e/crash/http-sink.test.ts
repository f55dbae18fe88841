import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backfillWithKills, type RunResult, type SinkBackfill } from '../../helpers/crash.js';
import { makeEvents, offsetOf, type FeedEvent } from '../../helpers/fake-api.js';
import { SqliteStateStore } from '../../../src/state/sqlite.js';
import { ElasticsearchFake } from '../../helpers/http-receivers/elasticsearch.js';
import { NdjsonReceiver } from '../../helpers/http-receivers/ndjson-receiver.js';
import { SplunkHecFake } from '../../helpers/http-receivers/splunk-hec.js';
import type { LoopbackReceiver } from '../../helpers/http-receivers/receiver.js';

/** The full size. HEL_HTTP_CRASH_EVENTS makes it smaller (or larger) to replay a seed quickly. */
const TOTAL = Number(process.env.HEL_HTTP_CRASH_EVENTS ?? 200_000);
const PAGE = 100;
const KILLS = 22;
/** The rows of docs/delivery.md that follow from the same code path get a smaller backfill. */
const SMALL = 20_000;
const SMALL_KILLS = 10;

/**
 * Runs `hel run --once` into `receiver`, SIGKILLs it at `kills` (default KILLS) random moments — a third of them
 * during start-up, the others after a random number of the run's deliveries and a random delay —
 * and restarts until a run completes. After every run the committed cursor is compared with what
 * the receiver holds: every event before the cursor must already be stored there.
 */
async function backfillIntoReceiver(
  t: { after(fn: () => unknown): void },
  receiver: LoopbackReceiver,
  o: { output: Record<string, unknown>; stored: (uuid: string) => boolean; events: FeedEvent[]; kills?: number; dedupe?: boolean; env?: Record<string, string> },
): Promise<SinkBackfill> {
  const { events, stored } = o;
  const total = events.length;
  let completed = false;
  // After every run, killed or not: no committed cursor is ahead of what the receiver holds.
  const afterRun = async (run: number, result: RunResult, { state, seed }: { state: string; seed: number }): Promise<void> => {
    const committed = offsetOf(await committedCursor(state));
    let ahead = 0;
    for (let i = 0; i < committed; i++) if (!stored(events[i]!.uuid)) ahead++;
    assert.equal(ahead, 0, `run ${run}: the cursor (${committed}) passed ${ahead} events the receiver does not have (seed ${seed})`);
    if (result.signal === null) {
      assert.equal(committed, total, `run ${run} ended before the end of the feed (seed ${seed})`);
      completed = true;
    }
  };
  // A kill comes after 1..n of a run's deliveries (plus up to 40 ms), or during start-up.
  const outcome = await backfillWithKills(t, {
    events,
    page: PAGE,
    kills: o.kills ?? KILLS,
    output: { http: o.output },
    target: receiver.url,
    dedupe: o.dedupe === false ? false : undefined,
    args: ['-q'],
    env: o.env,
    progress: () => receiver.requests,
    afterRun,
  });
  assert.ok(completed, `the last run completed the backfill (seed ${outcome.seed})`);
  return outcome;
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
  const outcome = await backfillIntoReceiver(t, es, { output: { format: 'elasticsearch_bulk', index: 'hel-%Y.%m' }, stored: (uuid) => es.hasEvent(uuid), events });
  assert.ok(outcome.kills >= 20, `only ${outcome.kills} kills landed (seed ${outcome.seed})`);
  const docs = es.documents();
  // Documents are keyed by _id, so a duplicate can only be the same event under another id.
  const uuids = docs.map((d) => (d.event as { uuid: string }).uuid);
  assert.equal(new Set(uuids).size, uuids.length, `duplicates in the index (seed ${outcome.seed})`);
  const missing = events.filter((e) => !es.hasEvent(e.uuid));
  assert.equal(missing.length, 0, `missing events (seed ${outcome.seed})`);
  assert.equal(docs.length, TOTAL);
  t.diagnostic(`seed ${outcome.seed}: ${outcome.runs} runs, ${outcome.kills} kills, ${docs.length} documents, ${es.conflicts} 409 conflicts`);
});

test(`plain NDJSON over HTTP: SIGKILL at ${KILLS} random moments of a ${TOTAL}-event backfill: 0 missing, at most the page in flight repeated per kill`, async (t) => {
  const r = await new NdjsonReceiver().start();
  t.after(() => r.stop());
  const events = makeEvents(TOTAL);
  const counts = r.counts();
  const outcome = await backfillIntoReceiver(t, r, { output: { format: 'ndjson' }, stored: (uuid) => counts.has(uuid), events });
  assert.ok(outcome.kills >= 20, `only ${outcome.kills} kills landed (seed ${outcome.seed})`);
  const missing = events.filter((e) => !counts.has(e.uuid));
  assert.equal(missing.length, 0, `missing events (seed ${outcome.seed})`);
  // The documented bound (docs/sinks-http.md): per crash, the page in flight of the (one) source.
  const repeats = r.lines.length - TOTAL;
  assert.ok(repeats <= outcome.kills * PAGE, `${repeats} repeated lines after ${outcome.kills} kills exceed one page per kill (seed ${outcome.seed})`);
  t.diagnostic(`seed ${outcome.seed}: ${outcome.runs} runs, ${outcome.kills} kills, ${repeats} repeated lines`);
});

test(`Splunk HEC with indexer acknowledgment: SIGKILL at ${SMALL_KILLS} random moments of a ${SMALL}-event backfill: 0 missing, at most the page in flight indexed again per kill`, async (t) => {
  const hec = await new SplunkHecFake().start();
  t.after(() => hec.stop());
  // Each ackId turns true on the second query: kills land while batches wait for their acknowledgment too.
  hec.ackAfterQueries = 1;
  const events = makeEvents(SMALL);
  const output = { format: 'splunk_hec', ack_poll_ms: 20, auth: { type: 'bearer', token_env: 'HEL_HEC_TOKEN' } };
  const outcome = await backfillIntoReceiver(t, hec, { output, stored: (uuid) => hec.indexedCount(uuid) > 0, events, kills: SMALL_KILLS, env: { HEL_HEC_TOKEN: [...hec.tokens][0]! } });
  assert.ok(outcome.kills >= SMALL_KILLS, `only ${outcome.kills} kills landed (seed ${outcome.seed})`);
  const missing = events.filter((e) => hec.indexedCount(e.uuid) === 0);
  assert.equal(missing.length, 0, `missing events (seed ${outcome.seed})`);
  const repeats = hec.indexed.length - SMALL;
  assert.ok(repeats <= outcome.kills * PAGE, `${repeats} events indexed again after ${outcome.kills} kills exceed one page per kill (seed ${outcome.seed})`);
  t.diagnostic(`seed ${outcome.seed}: ${outcome.runs} runs, ${outcome.kills} kills, ${repeats} indexed again`);
});

test(`Elasticsearch _bulk without dedupe (ids chosen by Elasticsearch): SIGKILL at ${SMALL_KILLS} random moments of a ${SMALL}-event backfill: 0 missing, at most the page in flight stored again per kill`, async (t) => {
  const es = await new ElasticsearchFake().start();
  t.after(() => es.stop());
  const events = makeEvents(SMALL);
  const outcome = await backfillIntoReceiver(t, es, { output: { format: 'elasticsearch_bulk', index: 'hel' }, stored: (uuid) => es.hasEvent(uuid), events, kills: SMALL_KILLS, dedupe: false });
  assert.ok(outcome.kills >= SMALL_KILLS, `only ${outcome.kills} kills landed (seed ${outcome.seed})`);
  assert.equal(events.filter((e) => !es.hasEvent(e.uuid)).length, 0, `missing events (seed ${outcome.seed})`);
  const repeats = es.documents().length - SMALL;
  assert.ok(repeats <= outcome.kills * PAGE, `${repeats} documents stored again after ${outcome.kills} kills exceed one page per kill (seed ${outcome.seed})`);
  t.diagnostic(`seed ${outcome.seed}: ${outcome.runs} runs, ${outcome.kills} kills, ${repeats} stored again`);
});
