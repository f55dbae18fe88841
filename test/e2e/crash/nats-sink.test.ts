import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeEvents, type FeedEvent } from '../../helpers/fake-api.js';
import { startNatsServer } from '../../helpers/nats-server.js';
import { backfillWithKills } from '../../helpers/crash.js';
import { readStream, type StreamMessage } from '../../helpers/nats-stream.js';

const TOTAL = 200_000;
const PAGE = 100;
const KILLS = 22;

/** Counts each event uuid in the stream: the envelope carries the event under `event`. */
function uuidCounts(messages: { data: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) {
    const uuid = (JSON.parse(m.data) as { event: { uuid: string } }).event.uuid;
    counts.set(uuid, (counts.get(uuid) ?? 0) + 1);
  }
  return counts;
}

/** `hel run --once` of `events` into a real JetStream, SIGKILLed at `kills` random moments and restarted until done. */
async function backfillIntoJetStream(
  t: { after(fn: () => unknown): void },
  events: FeedEvent[],
  kills: number,
  dedupe: boolean,
): Promise<{ seed: number; kills: number; messages: StreamMessage[]; requests: number }> {
  const nats = await startNatsServer(t);
  const outcome = await backfillWithKills(t, {
    events,
    page: PAGE,
    kills,
    output: { nats: { subject: 'audit.{source}' } },
    target: nats.url,
    source: 'op',
    dedupe: dedupe ? { id_path: 'uuid', capacity: 1000 } : false,
  });
  return { seed: outcome.seed, kills: outcome.kills, messages: await readStream(nats.url, 'HEL'), requests: outcome.requests };
}

test(`JetStream: SIGKILL at ${KILLS} random moments of a ${TOTAL}-event backfill with dedupe, restart until done: 0 missing, 0 duplicate messages in the stream`, async (t) => {
  const events = makeEvents(TOTAL);
  const { seed, kills, messages, requests } = await backfillIntoJetStream(t, events, KILLS, true);
  assert.ok(kills >= 20, `only ${kills} kills landed before the backfill ended (seed ${seed})`);
  const counts = uuidCounts(messages);
  const missing = events.filter((e) => !counts.has(e.uuid)).length;
  const duplicated = [...counts.values()].filter((n) => n > 1).length;
  assert.equal(missing, 0, `events missing from the stream (seed ${seed}, ${kills} kills)`);
  assert.equal(duplicated, 0, `events stored twice (seed ${seed}, ${kills} kills)`);
  assert.equal(messages.length, TOTAL);
  assert.ok(messages.every((m) => m.subject === 'audit.op'));
  t.diagnostic(`seed ${seed}: ${kills} kills, ${requests} requests for ${TOTAL / PAGE} pages, ${messages.length} messages`);
});

test('JetStream without dedupe (no Nats-Msg-Id): SIGKILL at 10 random moments of a 20,000-event backfill: 0 missing, at most the page in flight stored again per kill', async (t) => {
  const events = makeEvents(20_000);
  const { seed, kills, messages } = await backfillIntoJetStream(t, events, 10, false);
  assert.ok(kills >= 10, `only ${kills} kills landed (seed ${seed})`);
  const counts = uuidCounts(messages);
  assert.equal(events.filter((e) => !counts.has(e.uuid)).length, 0, `events missing from the stream (seed ${seed})`);
  assert.ok(
    messages.every((m) => m.msgId === undefined),
    'published without Nats-Msg-Id',
  );
  const repeats = messages.length - events.length;
  assert.ok(repeats <= kills * PAGE, `${repeats} messages stored again after ${kills} kills exceed one page per kill (seed ${seed})`);
  t.diagnostic(`seed ${seed}: ${kills} kills, ${repeats} stored again`);
});
