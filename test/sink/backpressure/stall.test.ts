import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents } from '../../helpers/fake-api.js';
import { tempDir } from '../../helpers/tmp.js';
import { getJson, daemonGlobal, startDaemon, waitFor } from '../../helpers/hel-process.js';

const STALL_SECS = 1;

test('a stalled output (the reader of stdout stopped) is reported by /readyz, the status page, a metric and a warning, and cleared once it drains', async (t) => {
  const events = makeEvents(6000);
  const api = await fakeApi(t, cursorFeed(events, 500));
  const dir = tempDir(t);
  const out = join(dir, 'out.ndjson');
  const outFd = openSync(out, 'w');
  const reader = spawn('cat', [], { stdio: ['pipe', outFd, 'ignore'] });
  closeSync(outFd);
  t.after(() => {
    reader.kill('SIGCONT');
    reader.kill('SIGKILL');
  });
  // Stopped before hel writes: the pipe fills (64 KiB) and hel's write waits.
  reader.kill('SIGSTOP');

  const hel = await startDaemon(
    dir,
    {
      global: daemonGlobal(dir, {
        backpressure: { detection: { stall_secs: STALL_SECS } },
      }),
      sources: {
        op: {
          url: `${api.url}/api/v2/events`,
          method: 'post',
          body: {},
          schedule: { interval_secs: 60 },
          pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace' },
          dedupe: { id_path: 'uuid' },
        },
      },
    },
    { stdout: reader.stdin! },
  );
  t.after(() => hel.stop());
  const { api: base, metrics } = hel.urls as { api: string; metrics: string };

  const ready = await waitFor(
    async () => {
      const r = await getJson(`${base}/readyz`);
      return r.body.output_healthy === false ? r.body : undefined;
    },
    15_000,
    '/readyz to report the stall',
  );
  assert.deepEqual(ready.failed, ['output_healthy', 'at_least_one_source_healthy']);
  assert.match(String(ready.output_problem), /^output stalled: a (write|flush) to stdout has not completed for \d+ s$/);
  assert.match(await (await fetch(`${metrics}/metrics`)).text(), /^hel_output_stalled 1$/m);
  assert.match(await (await fetch(`${metrics}/metrics`)).text(), /^hel_output_stalls_total 1$/m);
  const page = await (await fetch(`${base}/`, { headers: { authorization: 'Bearer test-api-token-0123456789' } })).text();
  assert.match(page, /Output not healthy: output stalled: a (write|flush) to stdout/);
  const warning = hel
    .stderr()
    .split('\n')
    .find((l) => l.includes('output stalled'));
  assert.ok(warning, 'a warning line names the stall');
  assert.equal((JSON.parse(warning) as { level: number }).level, 40);

  reader.kill('SIGCONT');
  await waitFor(async () => (await getJson(`${base}/readyz`)).status === 200, 15_000, '/readyz to recover (output healthy, the source done)');
  assert.match(await (await fetch(`${metrics}/metrics`)).text(), /^hel_output_stalled 0$/m);
  await waitFor(() => /output recovered: the stalled (write|flush) to stdout completed after/.test(hel.stderr()), 5000, 'the recovery line');
  await waitFor(() => readFileSync(out, 'utf8').split('\n').filter(Boolean).length >= events.length, 15_000, 'every event through the pipe');
});
