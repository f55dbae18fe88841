import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import { writeConfig } from '../../helpers/hel-process.js';
import { json, scriptedServer, type Cleanups } from '../../helpers/loopback.js';
import { runOnce } from './harness.js';

function config(dir: string, url: string, body = '{}', extra = ''): string {
  return writeConfig(
    dir,
    `sources:
  vault-audit:
    url: ${url}
    method: post
    body: ${body}
    response_events_path: items
${extra}`,
  );
}

async function recorded(t: Parameters<typeof tempDir>[0] & Cleanups): Promise<{ dir: string; url: string; recordings: string }> {
  const dir = tempDir(t);
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 200, { items: [{ uuid: 'e1', timestamp: '2026-01-01T00:00:00Z' }] }));
  const url = `${server.url}/api/v2/auditevents`;
  const recordings = join(dir, 'recordings');
  const live = await runOnce(config(dir, url), ['--state', join(dir, 'state.db'), '--record-dir', recordings]);
  assert.equal(live.code, 0, live.stderr);
  await server.close();
  return { dir, url, recordings };
}

void test('a request body that differs from the recording fails with a mismatch naming the source and the request', async (t) => {
  const { dir, url, recordings } = await recorded(t);
  const replay = await runOnce(config(dir, url, '{ limit: 5 }'), ['--replay-dir', recordings]);
  assert.equal(replay.code, 1);
  assert.equal(replay.stdout, '');
  assert.match(replay.stderr, /vault-audit: FAILED: .*no unused recording matches POST \/api\/v2\/auditevents body \{"limit":5\}/);
  assert.match(replay.stderr, /0001\.json POST \/api\/v2\/auditevents body \{\}/, 'lists what was recorded');
  assert.match(replay.stderr, /re-record with/);
});

void test('a URL that differs from the recording fails with a mismatch', async (t) => {
  const { dir, url, recordings } = await recorded(t);
  const replay = await runOnce(config(dir, url.replace('auditevents', 'itemusages')), ['--replay-dir', recordings]);
  assert.equal(replay.code, 1);
  assert.match(replay.stderr, /vault-audit: FAILED: .*no unused recording matches POST \/api\/v2\/itemusages body \{\}/);
});

void test('a source without recordings and a missing directory are clear errors', async (t) => {
  const { dir, url, recordings } = await recorded(t);
  const extra = `  other:
    url: ${url}
    response_events_path: items
`;
  const partial = await runOnce(config(dir, url, '{}', extra), ['--replay-dir', recordings]);
  assert.equal(partial.code, 1);
  assert.match(partial.stderr, /vault-audit: ok, 1 page, 1 events/);
  assert.match(partial.stderr, /other: FAILED: no recordings for source other: .*other does not exist/);

  const missing = await runOnce(config(dir, url), ['--replay-dir', join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--replay-dir .*nope: no such directory/);
});
