import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { cursorAt, makeEvents, offsetOf, type FeedEvent } from '../../helpers/fake-api.js';
import { hel, parseLines, startHel, writeConfig } from '../../helpers/hel-process.js';
import { sendEndlessBody, watchPeakRss } from '../../helpers/endless-body.js';
import { json, scriptedServer } from '../../helpers/loopback.js';
import { tempDir } from '../../helpers/tmp.js';

// The hostile-response part of issue #13's crash-and-fault suite. A real hel against a loopback
// server that misbehaves on one page: no cursor, a huge or endless body, a body that trickles in,
// invalid JSON, an encoding hel does not decode. Every scenario counts the events lost and
// duplicated over the runs it takes (the server heals after the fault) and asserts the bounds
// documented in docs/resilience.md: none lost, none duplicated, the stored cursor never skips.

const EVENTS = makeEvents(100);
const PAGE = 20;

/** What the server does for the request of one page instead of answering it; undefined = answer normally. */
type Fault = (res: ServerResponse, page: { offset: number; items: FeedEvent[] }) => boolean;

interface Hostile {
  url: string;
  /** Requests seen, by the offset their cursor asked for. */
  offsets: number[];
  heal(): void;
}

/** A 1Password-like cursor feed whose page at `faultAt` (an offset) is answered by `fault` until healed. */
async function hostileApi(t: TestContext, faultAt: number, fault: Fault): Promise<Hostile> {
  const offsets: number[] = [];
  let healed = false;
  const { url } = await scriptedServer(t, (_n, _req, res, text) => {
    const body = JSON.parse(text || '{}') as { cursor?: string };
    const offset = offsetOf(body.cursor);
    offsets.push(offset);
    const items = EVENTS.slice(offset, offset + PAGE);
    if (!healed && offset === faultAt && fault(res, { offset, items })) return;
    const next = offset + items.length;
    json(res, 200, { items, cursor: cursorAt(next), has_more: next < EVENTS.length });
  });
  return { url, offsets, heal: () => (healed = true) };
}

function config(dir: string, url: string, extra: Record<string, unknown> = {}): string {
  return writeConfig(dir, {
    sources: {
      feed: {
        url: `${url}/api/v2/auditevents`,
        method: 'post',
        body: { limit: PAGE },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 1000 },
        dedupe: { id_path: 'uuid' },
        resilience: { timeout_secs: 5, retries: { max_attempts: 3, initial_backoff_secs: 0.05, max_backoff_secs: 0.1 } },
        ...extra,
      },
    },
  });
}

function tally(outputs: string[]): { lost: number; duplicated: number } {
  const seen = new Map<string, number>();
  for (const out of outputs) for (const l of parseLines(out)) seen.set(String(l.event.uuid), (seen.get(String(l.event.uuid)) ?? 0) + 1);
  return { lost: EVENTS.filter((e) => !seen.has(e.uuid)).length, duplicated: [...seen.values()].reduce((s, n) => s + n - 1, 0) };
}

/** Runs `hel run --once` until healed: the fault run, then one after the server heals. */
async function faultThenHeal(t: TestContext, api: Hostile, extra: Record<string, unknown> = {}) {
  const dir = tempDir(t);
  const cfg = config(dir, api.url, extra);
  const state = join(dir, 'st.db');
  const faulty = await hel(['run', '--once', '-c', cfg, '--state', state], { timeoutMs: 60_000 });
  api.heal();
  const healed = await hel(['run', '--once', '-c', cfg, '--state', state], { timeoutMs: 60_000 });
  assert.equal(healed.code, 0, healed.stderr);
  return { faulty, healed, counts: tally([faulty.stdout, healed.stdout]) };
}

test('no cursor while has_more: the poll fails, the cursor is kept; after healing nothing is lost or repeated', async (t) => {
  const api = await hostileApi(t, 40, (res, { items }) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items, has_more: true }));
    return true;
  });
  const { faulty, counts } = await faultThenHeal(t, api);
  assert.equal(faulty.code, 1);
  assert.match(faulty.stderr, /HEL_PAGINATION|has_more is true but the cursor \(cursor\) is missing/);
  assert.equal(parseLines(faulty.stdout).length, 40, 'the pages before the fault are delivered, the broken one is not');
  assert.deepEqual(counts, { lost: 0, duplicated: 0 });
});

test('a huge response (Content-Length 1.5 GB) fails at once with the size and the key; nothing lost or repeated', async (t) => {
  const api = await hostileApi(t, 20, (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1_500_000_000) });
    res.write('{"items":[');
    return true;
  });
  const { faulty, counts } = await faultThenHeal(t, api);
  assert.equal(faulty.code, 1);
  assert.match(faulty.stderr, /larger than max_response_bytes \(33554432 bytes\): Content-Length is 1500000000 bytes/);
  assert.deepEqual(api.offsets.filter((o) => o === 20).length, 2, 'not retried within the poll: once per run');
  assert.deepEqual(counts, { lost: 0, duplicated: 0 });
});

test('an endless body is cut at the cap while memory stays flat; nothing lost or repeated', async (t) => {
  const api = await hostileApi(t, 60, (res) => {
    sendEndlessBody(res);
    return true;
  });
  const dir = tempDir(t);
  const cfg = config(dir, api.url, { max_response_bytes: 8 * 1024 * 1024 });
  const state = join(dir, 'st.db');
  const run = startHel(t, ['run', '--once', '-c', cfg, '--state', state]);
  const rss = watchPeakRss(run.child.pid);
  const exit = await run.exited;
  const peakKb = rss.stop();
  assert.equal(exit.code, 1, run.stderr());
  assert.match(run.stderr(), /larger than max_response_bytes \(8388608 bytes\): more than 8388608 bytes arrived/);
  assert.ok(peakKb < 250 * 1024, `peak RSS ${Math.round(peakKb / 1024)} MB stays far below what an endless body would take`);
  api.heal();
  const healed = await hel(['run', '--once', '-c', cfg, '--state', state]);
  assert.equal(healed.code, 0, healed.stderr);
  assert.deepEqual(tally([run.stdout(), healed.stdout]), { lost: 0, duplicated: 0 });
});

test('a body that trickles in is bounded by timeout_secs and retried; nothing lost or repeated', async (t) => {
  let trickles = 0;
  const api = await hostileApi(t, 20, (res, { items }) => {
    if (trickles++ >= 1) return false;
    const text = JSON.stringify({ items, cursor: cursorAt(40), has_more: true });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed || i >= text.length) return clearInterval(timer);
      res.write(text[i++]!);
    }, 50);
    return true;
  });
  const { faulty, counts } = await faultThenHeal(t, api, { resilience: { timeout_secs: 1, retries: { max_attempts: 3, initial_backoff_secs: 0.05, max_backoff_secs: 0.1 } } });
  assert.equal(faulty.code, 0, faulty.stderr);
  assert.equal(api.offsets.filter((o) => o === 20).length, 2, 'the trickling page was abandoned after 1 s and asked for again');
  assert.equal(parseLines(faulty.stdout).length, 100, 'the retry completed the backfill in the same run');
  assert.deepEqual(counts, { lost: 0, duplicated: 0 });
});

test('a complete 200 with invalid JSON is retried like a transient failure; nothing lost or repeated', async (t) => {
  let garbled = 0;
  const api = await hostileApi(t, 40, (res) => {
    if (garbled++ >= 2) return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"items":[{"uuid":"e0004');
    return true;
  });
  const { faulty, counts } = await faultThenHeal(t, api);
  assert.equal(faulty.code, 0, faulty.stderr);
  assert.equal(api.offsets.filter((o) => o === 40).length, 3, 'two garbled answers, then the good one, within one poll');
  assert.equal(parseLines(faulty.stdout).length, 100);
  assert.deepEqual(counts, { lost: 0, duplicated: 0 });
});

test('a gzip body hel cannot decode is named by its encoding; nothing lost or repeated', async (t) => {
  const api = await hostileApi(t, 0, (res, { items }) => {
    const zipped = gzipSync(JSON.stringify({ items, cursor: cursorAt(20), has_more: true }));
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(zipped.length) });
    res.end(zipped);
    return true;
  });
  const { faulty, counts } = await faultThenHeal(t, api);
  assert.equal(faulty.code, 1);
  assert.match(faulty.stderr, /the response is gzip-encoded \(Content-Encoding: gzip\), which hel does not decode/);
  assert.match(faulty.stderr, /Accept-Encoding/);
  assert.deepEqual(counts, { lost: 0, duplicated: 0 });
});
