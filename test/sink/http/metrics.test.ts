import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents } from '../../helpers/fake-api.js';
import { tempDir } from '../../helpers/tmp.js';
import { daemonGlobal, startDaemon, waitFor } from '../../helpers/hel-process.js';
import { ElasticsearchFake } from '../../helpers/http-receivers/elasticsearch.js';
import { prng } from '../../helpers/http-receivers/receiver.js';
import { SplunkHecFake } from '../../helpers/http-receivers/splunk-hec.js';

const TOTAL = 1000;

/** The value of one series in a Prometheus text exposition, or undefined when it is absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** A daemon with one cursor source of TOTAL events (pages of 100) into `http`, metrics on. */
async function daemon(t: { after(fn: () => unknown): void }, http: Record<string, unknown>, dir = tempDir(t)) {
  const api = await fakeApi(t, cursorFeed(makeEvents(TOTAL), 100));
  const hel = await startDaemon(dir, {
    global: daemonGlobal(dir, {
      output: { http: { initial_backoff_secs: 0.01, max_backoff_secs: 0.05, ...http } },
    }),
    sources: {
      op: {
        url: `${api.url}/api/v2/events`,
        method: 'post',
        body: { limit: 100 },
        schedule: { interval_secs: 3600 },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace' },
        response_events_path: 'items',
        dedupe: { id_path: 'uuid' },
      },
    },
  });
  t.after(() => hel.stop());
  return `${hel.urls.metrics!}/metrics`;
}

test("/metrics counts the HTTP sink's batches, events, 409 duplicates, retries by reason and delivery latency (_bulk with 30% 500s and per-item 429s)", async (t) => {
  const es = await new ElasticsearchFake().start();
  t.after(() => es.stop());
  const random = prng(1414);
  es.faults = { errorRate: 0.3, random };
  es.random = random;
  es.itemRejectRate = 0.05;
  // Ten events are in the index already (a previous run): their create answers 409.
  const index = new Map<string, Record<string, unknown>>();
  for (let n = 0; n < 10; n++) index.set(`op:e0000${n}`, { event: { uuid: `e0000${n}` } });
  es.indices.set('hel', index);

  const metrics = await daemon(t, { url: es.url, format: 'elasticsearch_bulk', index: 'hel', batch_size: 50 });
  const text = await waitFor(
    async () => {
      const body = await (await fetch(metrics)).text();
      return value(body, 'hel_output_events_total{sink="elasticsearch_bulk",result="delivered"}') === TOTAL - 10 ? body : undefined;
    },
    60_000,
    'every event counted as delivered',
  );

  assert.equal(value(text, 'hel_output_events_total{sink="elasticsearch_bulk",result="duplicate"}'), 10, 'the 409s are duplicates');
  assert.equal(value(text, 'hel_output_batches_total{sink="elasticsearch_bulk"}'), TOTAL / 50);
  assert.ok(es.faulted > 0 && es.answersWithRejections > 0, 'the faults happened');
  assert.equal(value(text, 'hel_output_attempt_failures_total{sink="elasticsearch_bulk",reason="http_5xx"}'), es.faulted);
  assert.equal(value(text, 'hel_output_attempt_failures_total{sink="elasticsearch_bulk",reason="item_errors"}'), es.answersWithRejections);
  assert.equal(value(text, 'hel_output_retries_total'), es.faulted + es.answersWithRejections);
  assert.equal(value(text, 'hel_output_delivery_duration_seconds_count{sink="elasticsearch_bulk"}'), TOTAL / 50);
  assert.ok(value(text, 'hel_output_delivery_duration_seconds_sum{sink="elasticsearch_bulk"}')! > 0);
  assert.equal(value(text, 'hel_output_ack_wait_seconds_count{sink="elasticsearch_bulk"}'), undefined, 'no indexer acknowledgment for _bulk');
  assert.equal(es.documents().length, TOTAL);
});

test('/metrics: Splunk HEC indexer acknowledgment waits are a histogram, one observation per batch', async (t) => {
  const hec = await new SplunkHecFake().start();
  t.after(() => hec.stop());
  hec.ackAfterQueries = 2;
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hec.token'), `${[...hec.tokens][0]!}\n`);
  const metrics = await daemon(t, { url: hec.url, format: 'splunk_hec', batch_size: 100, ack_poll_ms: 50, auth: { type: 'bearer', token_file: join(dir, 'hec.token') } }, dir);
  const text = await waitFor(
    async () => {
      const body = await (await fetch(metrics)).text();
      return value(body, 'hel_output_events_total{sink="splunk_hec",result="delivered"}') === TOTAL ? body : undefined;
    },
    60_000,
    'every event indexed',
  );
  assert.equal(value(text, 'hel_output_batches_total{sink="splunk_hec"}'), TOTAL / 100);
  assert.equal(value(text, 'hel_output_ack_wait_seconds_count{sink="splunk_hec"}'), TOTAL / 100);
  // Each ackId stays false for two queries 50 ms apart.
  assert.ok(value(text, 'hel_output_ack_wait_seconds_sum{sink="splunk_hec"}')! >= (TOTAL / 100) * 0.1, 'each wait spans at least two polls');
  assert.equal(hec.indexed.length, TOTAL);
});
