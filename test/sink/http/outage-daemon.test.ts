import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents, type FeedEvent } from '../../helpers/fake-api.js';
import { tempDir } from '../../helpers/tmp.js';
import { getJson, startDaemon, waitFor } from '../../helpers/hel-process.js';
import { NdjsonReceiver } from '../../helpers/http-receivers/ndjson-receiver.js';

test('hel run as a daemon: while the receiver is down /readyz says so and polls wait; it resumes by itself with nothing lost', async (t) => {
  const r = await new NdjsonReceiver().start();
  t.after(() => r.stop());
  const events: FeedEvent[] = makeEvents(300);
  const api = await fakeApi(t, (req) => cursorFeed(events, 100)(req));
  const dir = tempDir(t);
  const hel = await startDaemon(
    dir,
    {
      global: {
        state: { path: join(dir, 'state.db') },
        log_format: 'json',
        api: { enabled: true, address: '127.0.0.1', port: 0 },
        output: { http: { url: r.url, max_retries: 1, initial_backoff_secs: 0.05, max_backoff_secs: 0.2 } },
      },
      sources: {
        audit: {
          url: `${api.url}/events`,
          method: 'post',
          schedule: { interval_secs: 0.2 },
          pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace' },
          response_events_path: 'items',
          dedupe: { id_path: 'uuid' },
        },
      },
    },
    { listeners: ['api'] },
  );
  t.after(() => hel.stop());
  const base = hel.urls.api!;
  await waitFor(() => r.counts().size === 300, 10_000, 'the first 300 events');
  assert.equal((await getJson(`${base}/readyz`)).body.output_healthy, true);

  await r.stop();
  events.push(...makeEvents(200, 300));
  const down = await waitFor(
    async () => {
      const ready = await getJson(`${base}/readyz`);
      return ready.status === 503 && ready.body.output_healthy === false ? ready : undefined;
    },
    10_000,
    '/readyz to report the output down',
  );
  assert.deepEqual(down.body.failed, ['output_healthy']);
  const requestsWhileDown = api.requests.length;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // The poll in flight waits in flush: no new pages are fetched while the receiver is down.
  assert.ok(api.requests.length - requestsWhileDown <= 1, `${api.requests.length - requestsWhileDown} requests while down`);

  await r.start();
  await waitFor(() => r.counts().size === 500, 10_000, 'the events held during the outage');
  await waitFor(async () => (await getJson(`${base}/readyz`)).status === 200, 5000, '/readyz to recover');
  assert.match(hel.stderr(), /the HTTP receiver is down after 2 failed attempts/);
  // The down line formats the failure through the one formatter: its code and URL as fields, the hint in the message.
  const downLine = JSON.parse(
    hel
      .stderr()
      .split('\n')
      .find((l) => l.includes('is down after'))!,
  ) as { code?: string; url?: string; msg: string };
  assert.equal(downLine.code, 'HEL_NETWORK');
  assert.equal(new URL(downLine.url!).href, new URL(r.url).href);
  assert.match(downLine.msg, /\(cannot deliver to 127\.0\.0\.1:\d+ \(ECONNREFUSED\) \(http:\/\/127\.0\.0\.1:\d+\/[^)]*\) — check that the receiver is up/);
  assert.match(hel.stderr(), /the HTTP receiver is back after/);
  assert.equal(await hel.stop(), 0);
});
