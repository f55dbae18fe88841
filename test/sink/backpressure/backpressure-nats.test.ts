import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents } from '../../helpers/fake-api.js';
import { getJson, daemonGlobal, startDaemon, startHel, waitFor, writeConfig } from '../../helpers/hel-process.js';
import { startNatsServer } from '../../helpers/nats-server.js';
import { crashSeed, prng } from '../../helpers/crash.js';
import { tempDir } from '../../helpers/tmp.js';
import { readStream } from '../../helpers/nats-stream.js';

function source(url: string, page: number): Record<string, unknown> {
  return {
    url: `${url}/api/v2/events`,
    method: 'post',
    body: { limit: page },
    schedule: { interval_secs: 60 },
    pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 100_000 },
    dedupe: { id_path: 'uuid' },
  };
}

function uuids(messages: { data: string }[]): string[] {
  return messages.map((m) => (JSON.parse(m.data) as { event: { uuid: string } }).event.uuid);
}

test('disk_buffer: a backfill spooled while JetStream is down, with SIGKILLs while spooling and while draining, reaches the stream complete and once', async (t) => {
  const seed = crashSeed();
  const random = prng(seed);
  const TOTAL = 20_000;
  const nats = await startNatsServer(t);
  await nats.stop();
  const events = makeEvents(TOTAL);
  const api = await fakeApi(t, cursorFeed(events, 100));
  const dir = tempDir(t);
  const spool = join(dir, 'spool', 'hel');
  const config = writeConfig(dir, {
    global: { backpressure: { strategy: 'disk_buffer', disk_buffer: { path: spool, max_size_mb: 64, segment_size_mb: 1 } } },
    sources: { op: source(api.url, 100) },
  });
  const args = ['run', '--once', '-c', config, '--output', nats.url, '--state', join(dir, 'state.db')];

  /** Runs hel until one run exits by itself, killing the first `kills` runs at a random moment. */
  const runUntilDone = async (kills: number, started: () => boolean): Promise<number> => {
    let killed = 0;
    for (let run = 0; run < kills + 20; run++) {
      const proc = startHel(t, args);
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      void proc.exited.then((e) => (exit = e));
      if (killed < kills) {
        await waitFor(() => started() || exit !== undefined, 30_000, `run ${run} to get going (seed ${seed})`);
        await new Promise((r) => setTimeout(r, 30 + Math.floor(random() * 300)));
        if (exit === undefined) {
          proc.child.kill('SIGKILL');
          killed++;
        }
      }
      const result = await proc.exited;
      if (result.signal === 'SIGKILL') continue;
      assert.equal(result.code, 0, `run ${run} failed (seed ${seed}): ${proc.stderr()}`);
      return killed;
    }
    throw new Error(`no run finished (seed ${seed})`);
  };

  // Phase 1: the receiver is down; every page is fsynced into the spool and its cursor moves on.
  let before = 0;
  const killsSpooling = await runUntilDone(8, () => {
    const moved = api.requests.length > before;
    before = api.requests.length;
    return moved;
  });
  assert.equal(api.requests.filter((r) => !r.body.includes('cursor')).length >= 1, true);
  const segments = readdirSync(join(dir, 'spool')).filter((n) => /^hel\.\d{10}$/.test(n));
  assert.ok(segments.length > 1, `the spool rotated its 1 MB segments (${segments.join(', ')})`);

  // Phase 2: the receiver is back; runs drain the spool (killed a few times while draining).
  await nats.start();
  const killsDraining = await runUntilDone(4, () => true);

  const got = uuids(await readStream(nats.url, 'HEL'));
  const seen = new Set(got);
  assert.equal(events.filter((e) => !seen.has(e.uuid)).length, 0, `events missing (seed ${seed})`);
  assert.equal(got.length, TOTAL, `duplicates in the stream (seed ${seed})`);
  const left = readdirSync(join(dir, 'spool')).filter((n) => /^hel\.\d{10}$/.test(n));
  assert.equal(left.length, 1, 'drained segments are deleted');
  t.diagnostic(`seed ${seed}: ${killsSpooling} kills while spooling, ${killsDraining} while draining`);
});

test('drop: with JetStream down, events beyond the queue limit are dropped, every one counted in hel_events_dropped_total and logged; the queued rest arrives when it is back', async (t) => {
  const TOTAL = 3000;
  const QUEUE = 500;
  const nats = await startNatsServer(t);
  await nats.stop();
  const events = makeEvents(TOTAL);
  const api = await fakeApi(t, cursorFeed(events, 100));
  const dir = tempDir(t);
  const hel = await startDaemon(
    dir,
    {
      global: daemonGlobal(dir, {
        backpressure: { strategy: 'drop', drop_policy: 'oldest_first', detection: { event_queue_size: QUEUE, stdout_buffer_size: 0 } },
      }),
      sources: { op: source(api.url, 100) },
    },
    { args: ['--output', nats.url] },
  );
  t.after(() => hel.stop());
  const { api: base, metrics } = hel.urls as { api: string; metrics: string };

  // The backfill goes on while the receiver is down: drop never pauses the sources.
  await waitFor(async () => (await getJson(`${base}/api/v1/sources/op`)).body.events_total === TOTAL, 30_000, 'the backfill to finish');
  const dropped = (text: string): number => Number(/^hel_events_dropped_total\{source="op",reason="backpressure"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  assert.equal(dropped(await (await fetch(`${metrics}/metrics`)).text()), TOTAL - QUEUE);
  const logged = hel
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"reason":"backpressure"'))
    .reduce((sum, l) => sum + (JSON.parse(l) as { dropped: number }).dropped, 0);
  assert.equal(logged, TOTAL - QUEUE, 'every dropped event is in a warning line');

  await nats.start();
  await waitFor(
    async () => {
      try {
        return (await readStream(nats.url, 'HEL')).length === QUEUE;
      } catch {
        return false;
      }
    },
    30_000,
    'the queued events to arrive',
  );
  // oldest_first: the newest QUEUE events survived.
  // (in any order: a re-sent message may land after the ones that followed it)
  assert.deepEqual(
    uuids(await readStream(nats.url, 'HEL')).sort(),
    events.slice(TOTAL - QUEUE).map((e) => e.uuid),
  );
});
