import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, feedSource, makeEvents } from '../../helpers/fake-api.js';
import { hel, stateOf, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { ElasticsearchFake } from '../../helpers/http-receivers/elasticsearch.js';
import { NdjsonReceiver } from '../../helpers/http-receivers/ndjson-receiver.js';
import { SplunkHecFake } from '../../helpers/http-receivers/splunk-hec.js';

const TOTAL = 1500;
const PAGE = 100;

async function setup(t: { after(fn: () => unknown): void }, global: Record<string, unknown>) {
  const events = makeEvents(TOTAL);
  const api = await fakeApi(t, cursorFeed(events, PAGE));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    global,
    sources: { audit: feedSource(api.url, PAGE) },
  });
  return { events, config, state: join(dir, 'st.db') };
}

test('hel run --once --output http://… posts every event as NDJSON and commits after delivery', async (t) => {
  const r = await new NdjsonReceiver().start();
  t.after(() => r.stop());
  const { config, state } = await setup(t, {});
  const run = await hel(['run', '--once', '-c', config, '--state', state, '--output', `${r.url}/ingest`]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(r.counts().size, TOTAL);
  assert.equal(r.lines.length, TOTAL);
  assert.equal((await stateOf(state)).audit?.cursor, `c${String(TOTAL).padStart(6, '0')}`);
});

test('global.output.http: Splunk HEC with a token from env and late indexer acks, no token in the output', async (t) => {
  const hec = await new SplunkHecFake().start();
  t.after(() => hec.stop());
  hec.ackAfterQueries = 2;
  const token = 'hec-token-0001';
  const { config, state } = await setup(t, {
    output: { http: { url: hec.url, format: 'splunk_hec', sourcetype: '1password:events', index: 'security', ack_poll_ms: 20, auth: { type: 'bearer', token_env: 'HEC_TOKEN' } } },
  });
  const run = await hel(['run', '--once', '-c', config, '--state', state], { env: { HEC_TOKEN: token, HEL_LOG_LEVEL: 'debug' } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(hec.indexed.length, TOTAL);
  const first = hec.indexed[0]!;
  assert.equal(first.source, 'audit');
  assert.equal(first.sourcetype, '1password:events');
  assert.equal(first.index, 'security');
  assert.equal(first.time, Date.parse((first.event.event as { timestamp: string }).timestamp) / 1000);
  assert.ok(hec.ackQueries > 0);
  assert.doesNotMatch(run.stdout + run.stderr, new RegExp(token));
});

test('an HEC token Splunk does not know fails the run with the fix, without echoing the token', async (t) => {
  const hec = await new SplunkHecFake().start();
  t.after(() => hec.stop());
  const { config, state } = await setup(t, { output: { http: { url: hec.url, format: 'splunk_hec', auth: { type: 'bearer', token_env: 'HEC_TOKEN' } } } });
  const run = await hel(['run', '--once', '-c', config, '--state', state], { env: { HEC_TOKEN: 'not-a-known-token-xyz' } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /code 4 \("Invalid token"\).*check the token value/s);
  assert.doesNotMatch(run.stdout + run.stderr, /not-a-known-token-xyz/);
  assert.equal((await stateOf(state)).audit?.cursor, undefined, 'nothing committed');
});

test('global.output.http: Elasticsearch _bulk into a dated index; a second backfill of the same events is all 409 duplicates', async (t) => {
  const es = await new ElasticsearchFake().start();
  t.after(() => es.stop());
  es.authorization = `ApiKey ${Buffer.from('id:key').toString('base64')}`;
  const { config, state } = await setup(t, {
    output: { http: { url: es.url, format: 'elasticsearch_bulk', index: 'hel-%Y.%m.%d', auth: { type: 'bearer', token_env: 'ES_API_KEY' } } },
  });
  const env = { ES_API_KEY: Buffer.from('id:key').toString('base64') };
  const first = await hel(['run', '--once', '-c', config, '--state', state], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(es.documents().length, TOTAL);
  assert.deepEqual([...es.indices.keys()], ['hel-2026.01.01']);
  assert.ok(es.indices.get('hel-2026.01.01')!.has('audit:e00000'));
  // A fresh state re-sends everything: Elasticsearch keeps one copy of each.
  const again = await hel(['run', '--once', '-c', config, '--state', join(state, '..', 'fresh.db')], { env: { ...env, HEL_LOG_LEVEL: 'info' } });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(es.documents().length, TOTAL);
  assert.match(again.stderr, new RegExp(`output: 0 events delivered, ${TOTAL} already stored at the receiver \\(duplicates, not errors\\)`));
});

test('a mapping error fails the run naming the event and the field; the cursor stays before it', async (t) => {
  const es = await new ElasticsearchFake().start();
  t.after(() => es.stop());
  const { config, state } = await setup(t, { output: { http: { url: es.url, format: 'elasticsearch_bulk', index: 'hel' } } });
  // The index already maps `action` as an object: the events' string action cannot be stored.
  es.indices.set('hel', new Map());
  (es as unknown as { mappings: Map<string, Map<string, string>> }).mappings.set('hel', new Map([['event.action', 'object']]));
  const run = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Elasticsearch refused event e00000 of source audit in index hel: 400 document_parsing_exception on field \[event\.action\]/);
  assert.match(run.stderr, /fix the mapping/);
  assert.equal((await stateOf(state)).audit?.cursor, undefined);
});

test('config errors: elasticsearch_bulk without index, a bad index template, a URL with credentials', async (t) => {
  const dir = tempDir(t);
  const source = { url: 'http://127.0.0.1:9/x' };
  const noIndex = writeConfig(dir, { global: { output: { http: { format: 'elasticsearch_bulk' } } }, sources: { a: source } }, 'a.yaml');
  let r = await hel(['validate', '-c', noIndex]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /global\.output\.http\.index.*elasticsearch_bulk needs an index name/s);
  const badTemplate = writeConfig(dir, { global: { output: { http: { format: 'elasticsearch_bulk', index: 'Hel-%F' } } }, sources: { a: source } }, 'b.yaml');
  r = await hel(['validate', '-c', badTemplate]);
  assert.match(r.stderr, /global\.output\.http\.index.*lower-case index name/s);
  const ok = writeConfig(dir, { sources: { a: source } }, 'c.yaml');
  r = await hel(['run', '--once', '-c', ok, '--state', join(dir, 's.db'), '--output', 'http://user:pw@127.0.0.1:9/in']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /carries credentials.*global\.output\.http\.auth/s);
  assert.doesNotMatch(r.stderr, /pw@/);
});

test('hel test --output http://… delivers the events it shows without committing; a missing sink token is a config error with its key path', async (t) => {
  const r = await new NdjsonReceiver().start();
  t.after(() => r.stop());
  const { config, state } = await setup(t, {});
  const tested = await hel(['test', '--source', 'audit', '-c', config, '--state', state, '--output', r.url]);
  assert.equal(tested.code, 0, tested.stderr);
  assert.ok(r.lines.length > 0 && r.lines.length <= TOTAL, `${r.lines.length} lines`);
  assert.equal((await stateOf(state)).audit?.cursor, undefined, 'hel test commits nothing');

  const secured = await setup(t, { output: { http: { url: r.url, auth: { type: 'bearer', token_env: 'OUT_TOKEN' } } } });
  const run = await hel(['run', '--once', '-c', secured.config, '--state', secured.state], { env: { OUT_TOKEN: undefined } });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /global\.output\.http\.auth\.token_env: OUT_TOKEN is not set/);
  const validated = await hel(['validate', '-c', secured.config], { env: { OUT_TOKEN: undefined } });
  assert.match(validated.stderr, /hel\.yaml:\d+:\d+ global\.output\.http\.auth\.token_env: OUT_TOKEN is not set/);
});
