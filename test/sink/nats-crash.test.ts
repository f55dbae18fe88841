import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { startHel, writeConfig } from '../helpers/hel-process.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { crashSeed, crashUntilDone, prng } from '../helpers/crash.js';
import { tempDir } from '../helpers/tmp.js';
import { readStream } from './nats-stream.js';

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

test(`JetStream: SIGKILL at ${KILLS} random moments of a ${TOTAL}-event backfill with dedupe, restart until done: 0 missing, 0 duplicate messages in the stream`, async (t) => {
  const seed = crashSeed();
  const random = prng(seed);
  const nats = await startNatsServer(t);
  const events = makeEvents(TOTAL);
  const api = await fakeApi(t, cursorFeed(events, PAGE));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    global: { output: { nats: { subject: 'audit.{source}' } } },
    sources: {
      op: {
        url: `${api.url}/api/v2/events`,
        method: 'post',
        body: { limit: PAGE },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 100_000 },
        dedupe: { id_path: 'uuid', capacity: 1000 },
      },
    },
  });
  const state = join(dir, 'state.db');

  // A third of the kills during start-up, the others after a random number (1..40) of the run's pages
  // and a random delay that puts the kill anywhere in the page's publish: 22 × 40 stays below the
  // 2,000 pages, so a fast machine cannot finish before the kills are spent.
  const { kills } = await crashUntilDone({
    api,
    kills: KILLS,
    maxDelayMs: 40,
    random,
    seed,
    start: () => startHel(t, ['run', '--once', '-c', config, '--output', nats.url, '--state', state]),
    progress: { count: () => api.requests.length, maxSteps: 40 },
  });
  assert.ok(kills >= 20, `only ${kills} kills landed before the backfill ended (seed ${seed})`);

  const messages = await readStream(nats.url, 'HEL');
  const counts = uuidCounts(messages);
  const missing = events.filter((e) => !counts.has(e.uuid)).length;
  const duplicated = [...counts.values()].filter((n) => n > 1).length;
  assert.equal(missing, 0, `events missing from the stream (seed ${seed}, ${kills} kills)`);
  assert.equal(duplicated, 0, `events stored twice (seed ${seed}, ${kills} kills)`);
  assert.equal(messages.length, TOTAL);
  assert.ok(messages.every((m) => m.subject === 'audit.op'));
  t.diagnostic(`seed ${seed}: ${kills} kills, ${api.requests.length} requests for ${TOTAL / PAGE} pages, ${messages.length} messages`);
});
