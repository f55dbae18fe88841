import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startOnePasswordMock } from '../../../src/integrations/onepassword/mock/server.js';
import { tempDir } from '../../helpers/tmp.js';
import { parseLines, writeConfig } from '../../helpers/hel-process.js';
import { filesUnder, runOnce } from './harness.js';

void test('a type: onepassword run against the fake Events API replays offline to identical NDJSON', async (t) => {
  const dir = tempDir(t);
  const mock = await startOnePasswordMock({ events: 25, seed: 'record-replay', rateLimit: false });
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= mock.close());
  t.after(close);
  const cfg = writeConfig(
    dir,
    `sources:
  acme:
    type: onepassword
    base_url: ${mock.url}
    token_env: RR_OP_TOKEN
    limit: 10
    start_time: "${new Date(Date.now() - 3 * 86_400_000).toISOString()}"
`,
  );
  const recordings = join(dir, 'recordings');

  const live = await runOnce(cfg, ['--state', join(dir, 'state.db'), '--record-dir', recordings], { RR_OP_TOKEN: mock.token });
  assert.equal(live.code, 0, live.stderr);
  const streams = new Set(parseLines(live.stdout).map((e) => e.source));
  assert.deepEqual([...streams].sort(), ['acme-auditevents', 'acme-itemusages', 'acme-signinattempts']);
  const files = filesUnder(recordings);
  assert.ok(files.length >= 9, 'several pages per stream');
  for (const [path, bytes] of files) assert.ok(!bytes.includes(mock.token), `token leaked into ${path}`);
  await close();

  const replay = await runOnce(cfg, ['--replay-dir', recordings], { RR_OP_TOKEN: undefined, ONEPASSWORD_EVENTS_TOKEN: undefined });
  assert.equal(replay.code, 0, replay.stderr);
  const byStream = (stdout: string) => stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(byStream(replay.stdout), byStream(live.stdout));
});
