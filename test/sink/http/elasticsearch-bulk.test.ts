import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHelError } from '../../../src/errors.js';
import { documentId } from '../../../src/sink/http/elasticsearch-bulk.js';
import { indexNamer } from '../../../src/sink/http/index-name.js';
import { FakeClock } from '../../helpers/clock.js';
import { ElasticsearchFake } from '../../helpers/http-receivers/elasticsearch.js';
import { prng } from '../../helpers/http-receivers/receiver.js';
import { BASE_TIME, driveAndCheck, openSink, page } from './harness.js';

async function es(t: { after(fn: () => unknown): void }): Promise<ElasticsearchFake> {
  const fake = await new ElasticsearchFake().start();
  t.after(() => fake.stop());
  return fake;
}

const storedIds = (fake: ElasticsearchFake) => () => new Set(fake.documents().map((d) => (d.event as { uuid: string }).uuid));

test('_bulk with per-item 429s and whole-request 503s: each event stored exactly once, in the index of its own day', async (t) => {
  const fake = await es(t);
  fake.itemRejectRate = 0.25;
  fake.random = prng(9);
  fake.faults = { errorRate: 0.2, status: 503, random: prng(10) };
  const { sink } = openSink(fake.url, { format: 'elasticsearch_bulk', index: 'hel-%Y.%m.%d', batch_size: 40 }, new FakeClock());
  t.after(() => sink.close());
  await driveAndCheck(
    sink,
    Array.from({ length: 10 }, (_, i) => page('audit', i * 100, 100)),
    storedIds(fake),
  );
  assert.equal(fake.documents().length, 1000);
  // BASE_TIME is 23:30 UTC: events one minute apart spill into the next day's index.
  assert.deepEqual([...fake.indices.keys()].sort(), ['hel-2026.03.14', 'hel-2026.03.15']);
  assert.equal(fake.indices.get('hel-2026.03.14')!.size, 30);
  assert.ok(sink.stats.retries > 0);
  assert.equal(sink.stats.duplicates, 0);
});

test('a re-sent page comes back as 409 per item: counted as duplicates, not errors, and stored once', async (t) => {
  const fake = await es(t);
  const { sink } = openSink(fake.url, { format: 'elasticsearch_bulk', index: 'hel' }, new FakeClock());
  t.after(() => sink.close());
  await driveAndCheck(sink, [page('audit', 0, 100), page('audit', 50, 100)], storedIds(fake));
  assert.equal(fake.documents().length, 150);
  assert.equal(sink.stats.duplicates, 50);
  assert.equal(sink.stats.delivered, 150);
  // The same ids from another source are other events: the document id carries the source.
  const signal = new AbortController().signal;
  await sink.write({ ...page('audit', 0, 10), source: 'okta' }, signal);
  await sink.flush(signal);
  assert.equal(fake.documents().length, 160);
  assert.ok(fake.indices.get('hel')!.has('okta:audit-0'));
});

test('a mapping error names the event, the field and the fix; the sink stops and the cursor cannot pass it', async (t) => {
  const fake = await es(t);
  const { sink } = openSink(fake.url, { format: 'elasticsearch_bulk', index: 'hel' }, new FakeClock());
  const signal = new AbortController().signal;
  await driveAndCheck(sink, [page('audit', 0, 10, () => ({ actor: { id: 1 } }))], storedIds(fake));
  await sink.write(
    page('audit', 10, 10, (n) => ({ actor: { id: n === 15 ? 'svc-backup' : n } })),
    signal,
  );
  const err = await sink.flush(signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isHelError(err) && err.code === 'HEL_OUTPUT');
  assert.match(err.message, /refused event audit-15 of source audit in index hel: 400 document_parsing_exception on field \[event\.actor\.id\]/);
  assert.match(err.context.hint ?? '', /fix the mapping or index template of hel/);
  assert.equal(sink.healthy(), false);
  await assert.rejects(sink.flush(signal), /audit-15/);
  await sink.close();
});

test('index templates and document ids', () => {
  const name = indexNamer('hel-%Y.%m.%d-%H%%', () => BASE_TIME);
  assert.equal(name(Date.UTC(2026, 0, 2, 3)), 'hel-2026.01.02-03%');
  assert.equal(name(undefined), 'hel-2026.03.14-23%');
  assert.equal(indexNamer('plain', () => 0)(123), 'plain');
  const line = { source: 's', bytes: Buffer.alloc(0), time: undefined };
  assert.equal(documentId({ ...line, id: 'abc' }), 's:abc');
  assert.equal(documentId({ ...line, id: undefined }), undefined);
  const long = documentId({ ...line, id: 'x'.repeat(600) })!;
  assert.match(long, /^sha256:[A-Za-z0-9_-]{43}$/);
});
