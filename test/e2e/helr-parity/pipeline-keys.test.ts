import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fakeApi, type SeenRequest } from '../../helpers/fake-api.js';
import { hel, parseLines, startHel, stateOf, writeConfig } from '../../helpers/hel-process.js';
import { sendEndlessBody, watchPeakRss } from '../../helpers/endless-body.js';
import { scriptedServer } from '../../helpers/loopback.js';
import { LineEncoder } from '../../../src/pipeline/envelope.js';
import { tempDir } from '../../helpers/tmp.js';
import { CLI_TIMEOUT_MS } from '../../helpers/workspace.js';

// Helr's pipeline keys, each against a loopback server through the real CLI.

const once = (config: string, state: string) => hel(['run', '--once', '-c', config, '--state', state], { timeoutMs: CLI_TIMEOUT_MS });
const NO_RETRY = { retries: { max_attempts: 1 } };

/** Pages by `?cursor=N`: `pages[N]` is the reply (a raw string is sent as is). */
function paged(pages: (unknown[] | string)[]) {
  return (req: SeenRequest) => {
    const at = Number(req.query.get('cursor') ?? '0');
    const page = pages[at]!;
    if (typeof page === 'string') return { raw: page };
    return { body: { items: page, next: at + 1 < pages.length ? String(at + 1) : null } };
  };
}
const cursorPagination = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'next' };

test('transform.timestamp_field sets the envelope ts and transform.id_field its meta.id', async (t) => {
  const api = await fakeApi(t, () => ({
    body: [
      { uuid: 'u-1', detail: { created_at: '2026-02-03T04:05:06Z' } },
      { uuid: 42, detail: {} },
    ],
  }));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { audit: { url: `${api.url}/logs`, transform: { timestamp_field: 'detail.created_at', id_field: 'uuid' } } } });
  const run = await once(config, join(dir, 'st.db'));
  assert.equal(run.code, 0, run.stderr);
  const [first, second] = parseLines(run.stdout);
  assert.equal(first!.ts, '2026-02-03T04:05:06Z');
  assert.deepEqual(first!.meta, { id: 'u-1' });
  assert.deepEqual(second!.meta, { id: 42 }, 'a numeric id is copied as a number');
  assert.notEqual(second!.ts, '2026-02-03T04:05:06Z', 'no timestamp: the time of collection');
});

test('from/from_param on the first request; state.watermark_* then takes over (GWS startTime from id.time) under the key watermark', async (t) => {
  const events = [{ id: { time: '2026-01-01T00:00:01Z', uniqueQualifier: 'a' } }, { id: { time: '2026-01-01T00:00:03Z', uniqueQualifier: 'b' } }];
  const api = await fakeApi(t, (req) => {
    const start = req.query.get('startTime');
    const page = events.filter((e) => start === null || e.id.time > start);
    return { body: req.query.get('pageToken') === null ? { items: page.slice(0, 1), nextPageToken: page.length > 1 ? 'p2' : undefined } : { items: page.slice(1) } };
  });
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      gws: {
        url: `${api.url}/activity`,
        from: '2025-12-31T00:00:00Z',
        from_param: 'startTime',
        pagination: { strategy: 'cursor', cursor_param: 'pageToken', cursor_path: 'nextPageToken' },
        state: { watermark_field: 'id.time', watermark_param: 'startTime' },
      },
    },
  });
  const state = join(dir, 'st.db');
  const first = await once(config, state);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(api.requests[0]!.query.get('startTime'), '2025-12-31T00:00:00Z', 'from, under from_param, on the first request');
  assert.equal(api.requests[1]!.query.get('startTime'), null, 'only on the first request');
  assert.equal(parseLines(first.stdout).length, 2);
  assert.equal((await stateOf(state)).gws!.watermark, '2026-01-01T00:00:03Z');

  events.push({ id: { time: '2026-01-01T00:00:05Z', uniqueQualifier: 'c' } });
  const before = api.requests.length;
  const second = await once(config, state);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(api.requests[before]!.query.get('startTime'), '2026-01-01T00:00:03Z', 'the stored watermark, not from');
  assert.deepEqual(
    parseLines(second.stdout).map((l) => (l.event.id as { uniqueQualifier: string }).uniqueQualifier),
    ['c'],
  );
});

test('from with the default from_param since (the Okta example), and a state.* next to a different incremental_from is refused', async (t) => {
  const api = await fakeApi(t, () => ({ body: [] }));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { okta: { url: `${api.url}/api/v1/logs`, from: '2024-01-01T00:00:00Z' } } });
  const run = await once(config, join(dir, 'st.db'));
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests[0]!.query.get('since'), '2024-01-01T00:00:00Z');

  const both = writeConfig(
    dir,
    {
      sources: { s: { url: `${api.url}/x`, state: { watermark_field: 'a', watermark_param: 'b' }, incremental_from: { event_timestamp_path: 'c', param_name: 'd' } } },
    },
    'both.yaml',
  );
  const invalid = await hel(['validate', '-c', both]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /sources\.s\.state: a source keeps one watermark/);

  const lonely = writeConfig(dir, { sources: { s: { url: `${api.url}/x`, from_param: 'after', max_line_bytes_behavior: 'skip', from: 'x', time_window: {} } } }, 'lonely.yaml');
  const refused = await hel(['validate', '-c', lonely]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /sources\.s\.max_line_bytes_behavior: max_line_bytes_behavior is set but max_line_bytes is not/);
  assert.match(refused.stderr, /sources\.s\.from: from does not apply to a time_window source/);
});

test('on_parse_error: skip ends the poll at the unreadable page, keeps the position before it, and asks again next poll; fail fails', async (t) => {
  const pages: (unknown[] | string)[] = [[{ id: 'a' }], '{"items": [ not json', [{ id: 'c' }]];
  const api = await fakeApi(t, paged(pages));
  const dir = tempDir(t);
  const source = (mode: string) => ({ url: `${api.url}/events`, pagination: cursorPagination, on_parse_error: mode, resilience: NO_RETRY });
  const skipConfig = writeConfig(dir, { sources: { feed: source('skip') } }, 'skip.yaml');
  const state = join(dir, 'skip.db');
  const skipped = await once(skipConfig, state);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.deepEqual(
    parseLines(skipped.stdout).map((l) => l.event.id),
    ['a'],
  );
  assert.match(skipped.stderr, /on_parse_error: skip: the response is not valid JSON/);
  assert.equal((await stateOf(state)).feed!.cursor, '1', 'the position before the unreadable page');

  pages[1] = [{ id: 'b' }];
  const healed = await once(skipConfig, state);
  assert.equal(healed.code, 0, healed.stderr);
  assert.deepEqual(
    parseLines(healed.stdout).map((l) => l.event.id),
    ['b', 'c'],
    'nothing lost: the skipped page is read once it parses',
  );

  pages[1] = 'garbage';
  const failed = await once(writeConfig(dir, { sources: { feed: source('fail') } }, 'fail.yaml'), join(dir, 'fail.db'));
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /not valid JSON/);
});

/** A server whose reply is the given bytes (invalid UTF-8 cannot go through the JSON fake). */
async function bytesServer(t: TestContext, body: Buffer): Promise<string> {
  const server = await scriptedServer(t, (_n, _req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    res.end(body);
  });
  return server.url;
}

test('on_invalid_utf8: fail by default (named, with the fix), replace writes U+FFFD, escape writes \\xNN', async (t) => {
  const url = await bytesServer(t, Buffer.concat([Buffer.from('[{"id":"a","name":"x'), Buffer.from([0xff, 0xc3]), Buffer.from('y"}]')]));
  const dir = tempDir(t);
  const run = (mode?: string) =>
    once(writeConfig(dir, { sources: { s: { url, resilience: NO_RETRY, ...(mode ? { on_invalid_utf8: mode } : {}) } } }, `${mode ?? 'default'}.yaml`), join(dir, `${mode ?? 'default'}.db`));
  const failed = await run();
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /not valid UTF-8 \(first bad byte at offset 20 of 26\).*on_invalid_utf8: replace/);
  const replaced = await run('replace');
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.equal(parseLines(replaced.stdout)[0]!.event.name, 'x\uFFFD\uFFFDy');
  const escaped = await run('escape');
  assert.equal(escaped.code, 0, escaped.stderr);
  assert.equal(parseLines(escaped.stdout)[0]!.event.name, 'x\\xFF\\xC3y');
});

test('max_line_bytes: truncate keeps a valid line within the cap, skip drops the event with a warning, fail writes nothing of the page', async (t) => {
  const events = [{ id: 'small' }, { id: 'big', blob: 'é"'.repeat(2000) }, { id: 'after' }];
  const api = await fakeApi(t, paged([events]));
  const dir = tempDir(t);
  const run = (behavior: string) =>
    once(
      writeConfig(dir, { sources: { s: { url: `${api.url}/e`, pagination: cursorPagination, max_line_bytes: 1000, max_line_bytes_behavior: behavior } } }, `${behavior}.yaml`),
      join(dir, `${behavior}.db`),
    );

  const truncated = await run('truncate');
  assert.equal(truncated.code, 0, truncated.stderr);
  const lines = truncated.stdout.split('\n').filter(Boolean);
  assert.ok(
    lines.every((l) => Buffer.byteLength(l) + 1 <= 1000),
    'every line, newline included, fits',
  );
  const cut = parseLines(truncated.stdout)[1]!;
  assert.equal(typeof cut.event, 'string');
  assert.ok((cut.event as unknown as string).startsWith('{"id":"big","blob":"é'));
  assert.ok((cut.event as unknown as string).endsWith('...'));
  assert.equal(cut.meta.truncated, true);
  assert.equal(cut.meta.original_bytes, Buffer.byteLength(JSON.stringify(events[1])));

  const skipped = await run('skip');
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.deepEqual(
    parseLines(skipped.stdout).map((l) => l.event.id),
    ['small', 'after'],
  );
  assert.match(skipped.stderr, /page 1: 1 event line\(s\) over max_line_bytes \(1000\), the longest \d+ bytes: dropped/);

  const failed = await run('fail');
  assert.equal(failed.code, 1);
  assert.equal(failed.stdout, '', 'nothing of the page');
  assert.match(failed.stderr, /over max_line_bytes \(1000\); nothing of its page was written/);
  assert.equal((await stateOf(join(dir, 'fail.db'))).s?.cursor, undefined, 'the position did not move');
});

test('response_event_object_path: the GraphQL node of each edge is the event; an edge without one is a parse error', async (t) => {
  let edges: unknown[] = [
    { node: { id: 'n1', action: 'login' }, cursor: 'x' },
    { node: { id: 'n2', action: 'logout' }, cursor: 'y' },
  ];
  const api = await fakeApi(t, () => ({ body: { data: { auditLog: { edges, pageInfo: { hasNextPage: false } } } } }));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    sources: {
      graphql: {
        url: `${api.url}/graphql`,
        method: 'post',
        body: { query: 'query AuditLog($after: String) { auditLog(first: 100, after: $after) { edges { node { id action } } } }' },
        response_events_path: 'data.auditLog.edges',
        response_event_object_path: 'node',
        resilience: NO_RETRY,
      },
    },
  });
  const run = await once(config, join(dir, 'st.db'));
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    parseLines(run.stdout).map((l) => l.event),
    [
      { id: 'n1', action: 'login' },
      { id: 'n2', action: 'logout' },
    ],
  );
  assert.match(api.requests[0]!.body, /\$after: String/, '$after in a body is GraphQL, not an environment variable');

  edges = [{ cursor: 'z' }];
  const broken = await once(config, join(dir, 'st2.db'));
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /element 0 of the events array has no node/);
});

test('a JSON object without an events array is one event; {} is none; with response_events_path or response_streaming it is not', async (t) => {
  let body: unknown = { id: 'only', status: 'ok' };
  const api = await fakeApi(t, () => ({ body }));
  const dir = tempDir(t);
  const run = (extra: Record<string, unknown>, name: string) =>
    once(writeConfig(dir, { sources: { s: { url: `${api.url}/status`, resilience: NO_RETRY, ...extra } } }, `${name}.yaml`), join(dir, `${name}.db`));
  const one = await run({}, 'plain');
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(
    parseLines(one.stdout).map((l) => l.event),
    [{ id: 'only', status: 'ok' }],
  );

  const withPath = await run({ response_events_path: 'records' }, 'path');
  assert.equal(withPath.code, 0, withPath.stderr);
  assert.equal(withPath.stdout, '', 'response_events_path names where the events are: absent = none');

  const streaming = await run({ response_streaming: 'buffered' }, 'streaming');
  assert.equal(streaming.code, 1, "as Helr's streaming parser: an object needs an events array");
  assert.match(streaming.stderr, /no events array/);

  body = {};
  const empty = await run({}, 'empty');
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, '');
});

test('response_streaming: full with an endless body: cut at max_response_bytes while memory stays flat', async (t) => {
  const { url } = await scriptedServer(t, (_n, _req, res) => sendEndlessBody(res));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { s: { url, response_streaming: 'full', max_response_bytes: 8 * 1024 * 1024, resilience: NO_RETRY } } });
  const run = startHel(t, ['run', '--once', '-c', config, '--state', join(dir, 'st.db')]);
  const rss = watchPeakRss(run.child.pid);
  const exit = await run.exited;
  const peakKb = rss.stop();
  assert.equal(exit.code, 1, run.stderr());
  assert.match(run.stderr(), /larger than max_response_bytes \(8388608 bytes\)/);
  assert.ok(peakKb < 250 * 1024, `peak RSS ${Math.round(peakKb / 1024)} MB`);
});

test('an empty 2xx body is no events: the cursor that asked for it is kept, and the next poll asks again', async (t) => {
  const pages: (unknown[] | string)[] = [[{ id: 'a' }], ''];
  const api = await fakeApi(t, paged(pages));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { feed: { url: `${api.url}/events`, pagination: cursorPagination, resilience: NO_RETRY } } });
  const state = join(dir, 'st.db');
  const first = await once(config, state);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(
    parseLines(first.stdout).map((l) => l.event.id),
    ['a'],
  );
  assert.equal((await stateOf(state)).feed!.cursor, '1');
  pages[1] = [{ id: 'b' }];
  const second = await once(config, state);
  assert.deepEqual(
    parseLines(second.stdout).map((l) => l.event.id),
    ['b'],
  );
});

test('max_line_bytes_behavior: truncate has no cut form for a mapped format (ocsf, ecs), so such a line fails as with fail', () => {
  const mapper = { map: (event: unknown) => ({ mapped: event }), eventOf: () => undefined };
  const encoder = new LineEncoder({ format: 'ocsf', mapper, labelKey: 'source', labelValue: 's' });
  assert.equal(encoder.truncated({ blob: 'x'.repeat(5000) }, '/e', '2026-01-01T00:00:00Z', undefined, 1000), undefined);
  const envelope = new LineEncoder({ format: 'envelope', labelKey: 'source', labelValue: 's' });
  const line = envelope.truncated({ blob: 'x'.repeat(5000) }, '/e', '2026-01-01T00:00:00Z', undefined, 1000)!;
  assert.ok(Buffer.byteLength(line) <= 1000);
  assert.equal(envelope.truncated({ blob: 'x' }, '/e', '2026-01-01T00:00:00Z', undefined, 10), undefined, 'not even an empty cut fits: no line');
});
