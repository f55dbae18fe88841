import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Recording } from '../../../src/http/record/format.js';
import { tempDir } from '../../helpers/tmp.js';
import { parseLines, writeConfig } from '../../helpers/hel-process.js';
import { json, scriptedServer } from '../../helpers/loopback.js';
import { runOnce } from './harness.js';

const TOKEN = 'tok-4f1d9c2a-bearer-SENTINEL';

function item(n: number): Record<string, unknown> {
  return { uuid: `evt-${n}`, timestamp: `2026-01-0${n}T10:00:00Z`, action: 'signin', actor: { email: `user${n}@example.com` } };
}

/** A 1Password-like cursor API: `{}` starts, `{"cursor"}` continues, three pages then has_more false. */
function cursorApi(_n: number, req: IncomingMessage, res: ServerResponse, text: string): void {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { Error: { Message: 'Unauthorized' } });
  const body = JSON.parse(text || '{}') as { cursor?: string };
  const page = body.cursor === undefined ? 0 : Number(body.cursor.replace('c', ''));
  const items = [item(page * 2 + 1), item(page * 2 + 2)];
  json(res, 200, { cursor: `c${page + 1}`, has_more: page < 2, items });
}

function config(url: string, dir: string): string {
  return writeConfig(
    dir,
    `global:
  state:
    path: ${join(dir, 'live.db')}
sources:
  vault-audit:
    url: ${url}/api/v2/auditevents
    method: post
    body: {}
    auth:
      type: bearer
      token_env: RR_TEST_TOKEN
    pagination:
      strategy: cursor
      cursor_param: cursor
      cursor_path: cursor
      has_more_path: has_more
    response_events_path: items
    dedupe:
      id_path: uuid
    timestamp_path: timestamp
`,
  );
}

void test('a POST cursor run recorded with --record-dir replays offline, without a token, to identical NDJSON', async (t) => {
  const dir = tempDir(t);
  const server = await scriptedServer(t, cursorApi);
  const cfg = config(server.url, dir);
  const recordings = join(dir, 'recordings');

  const live = await runOnce(cfg, ['--state', join(dir, 'record.db'), '--record-dir', recordings], { RR_TEST_TOKEN: TOKEN });
  assert.equal(live.code, 0, live.stderr);
  assert.equal(parseLines(live.stdout).length, 6);
  assert.deepEqual(readdirSync(join(recordings, 'vault-audit')).sort(), ['0001.json', '0002.json', '0003.json']);
  await server.close();

  const replay = await runOnce(cfg, ['--replay-dir', recordings], { RR_TEST_TOKEN: undefined });
  assert.equal(replay.code, 0, replay.stderr);
  assert.equal(replay.stdout, live.stdout);
  assert.equal(server.requests.length, 3, 'replay must not reach the server');
});

void test('the recording is readable, ordered, redacted JSON', async (t) => {
  const dir = tempDir(t);
  const server = await scriptedServer(t, cursorApi);
  const recordings = join(dir, 'recordings');
  const live = await runOnce(config(server.url, dir), ['--state', join(dir, 'record.db'), '--record-dir', recordings], { RR_TEST_TOKEN: TOKEN });
  assert.equal(live.code, 0, live.stderr);

  const second = JSON.parse(readFileSync(join(recordings, 'vault-audit', '0002.json'), 'utf8')) as Recording;
  assert.equal(second.format, 'hel-recording/1');
  assert.equal(second.source, 'vault-audit');
  assert.equal(second.seq, 2);
  assert.equal(second.request.method, 'POST');
  assert.equal(second.request.url, `${server.url}/api/v2/auditevents`);
  assert.equal(second.request.headers.authorization, 'REDACTED');
  assert.equal(second.request.bodyEncoding, 'json');
  assert.deepEqual(second.request.body, { cursor: 'c1' });
  assert.equal(second.response.status, 200);
  assert.equal(second.response.headers['content-type'], 'application/json');
  assert.equal(second.response.bodyEncoding, 'json');
  assert.deepEqual(second.response.body, { cursor: 'c2', has_more: true, items: [item(3), item(4)] });
});

void test("recording again into the same directory replaces that source's earlier recording", async (t) => {
  const dir = tempDir(t);
  const server = await scriptedServer(t, cursorApi);
  const cfg = config(server.url, dir);
  const recordings = join(dir, 'recordings');
  const args = ['--state', join(dir, 'record.db'), '--record-dir', recordings];
  assert.equal((await runOnce(cfg, args, { RR_TEST_TOKEN: TOKEN })).code, 0);
  // The second run resumes from the stored cursor: one request, so one file must remain.
  const again = await runOnce(cfg, args, { RR_TEST_TOKEN: TOKEN });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(readdirSync(join(recordings, 'vault-audit')), ['0001.json']);
});

void test('replay leaves the live state file alone unless --state is given', async (t) => {
  const dir = tempDir(t);
  const server = await scriptedServer(t, cursorApi);
  const cfg = config(server.url, dir);
  const recordings = join(dir, 'recordings');
  const liveState = join(dir, 'live.db');

  const live = await runOnce(cfg, ['--record-dir', recordings], { RR_TEST_TOKEN: TOKEN });
  assert.equal(live.code, 0, live.stderr);
  await server.close();
  const before = { bytes: readFileSync(liveState), mtimeMs: statSync(liveState).mtimeMs };

  const replay = await runOnce(cfg, ['--replay-dir', recordings]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.equal(replay.stdout, live.stdout, 'the throwaway state starts empty, so the whole recording replays');
  assert.equal(statSync(liveState).mtimeMs, before.mtimeMs);
  assert.ok(readFileSync(liveState).equals(before.bytes));
  for (const suffix of ['-wal', '-journal']) {
    const side = liveState + suffix;
    if (existsSync(side)) assert.equal(statSync(side).size, 0);
  }

  const kept = join(dir, 'replay.db');
  const withState = await runOnce(cfg, ['--replay-dir', recordings, '--state', kept]);
  assert.equal(withState.code, 0, withState.stderr);
  assert.ok(existsSync(kept), '--state keeps the replayed position');
  assert.equal(statSync(liveState).mtimeMs, before.mtimeMs);
});
