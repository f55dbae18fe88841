import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isHelError } from '../../../src/errors.js';
import { Spool } from '../../../src/sink/backpressure/spool.js';
import { tempDir } from '../../helpers/tmp.js';
import { eventBatch } from '../../helpers/sink-batches.js';

const uuids = (spool: Spool) => spool.read(100).records.flatMap((r) => r.batch.ids);

test('spool: a restart resumes after the drained position and cuts off a torn last record', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'hel');
  const first = new Spool(path, 1 << 20);
  for (let i = 0; i < 3; i++) first.append(eventBatch('s', i * 2, 2));
  first.sync();
  const { records, segment } = first.read(1);
  first.drained(segment, records[0]!.end);
  first.close();
  const segmentFile = join(dir, 'hel.0000000001');
  const whole = statSync(segmentFile).size;
  appendFileSync(segmentFile, Buffer.from([200, 0, 0, 0, 10, 0, 0, 0, 1, 2])); // a record cut short by a kill

  const again = new Spool(path, 1 << 20);
  assert.equal(statSync(segmentFile).size, whole, 'the torn record is truncated away');
  assert.deepEqual(uuids(again), ['ev-2', 'ev-3', 'ev-4', 'ev-5']);
  again.close();
});

test('spool: full segments rotate, drained ones are deleted, a corrupt record is an error naming the file', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'hel');
  const spool = new Spool(path, 100);
  for (let i = 0; i < 4; i++) {
    spool.append(eventBatch('s', i * 3, 3));
    spool.sync();
  }
  assert.equal(readdirSync(dir).filter((n) => /^hel\.\d{10}$/.test(n)).length, 5);
  for (;;) {
    const { records, segment } = spool.read(10);
    if (records.length === 0) break;
    spool.drained(segment, records[records.length - 1]!.end);
  }
  assert.equal(spool.bytes, 0);
  assert.deepEqual(
    readdirSync(dir).filter((n) => /^hel\.\d{10}$/.test(n)),
    ['hel.0000000005'],
  );
  spool.append(eventBatch('s', 90, 3));
  spool.sync();
  spool.close();
  const newest = join(dir, 'hel.0000000005');
  const bytes = readFileSync(newest);
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff; // flip a bit inside the record: its CRC no longer matches
  writeFileSync(newest, bytes);
  writeFileSync(join(dir, 'hel.0000000006'), ''); // a newer segment: the damaged one is no longer the tail
  const reopened = new Spool(path, 100);
  assert.throws(
    () => reopened.read(10),
    (err: unknown) => isHelError(err) && /hel\.0000000005 is corrupt at offset 0/.test(err.message),
  );
  reopened.close();
});

test('spool: a next segment that cannot be created does not fail the sync (its records are durable): the full segment grows on until one can', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'hel');
  const spool = new Spool(path, 100);
  // A directory where the next segment would go: opening it as a file fails.
  mkdirSync(join(dir, 'hel.0000000002'));
  spool.append(eventBatch('s', 0, 3));
  spool.sync();
  spool.append(eventBatch('s', 3, 3));
  spool.sync();
  rmdirSync(join(dir, 'hel.0000000002'));
  spool.append(eventBatch('s', 6, 3));
  spool.sync();
  assert.deepEqual(
    readdirSync(dir).filter((n) => /^hel\.\d{10}$/.test(n)),
    ['hel.0000000001', 'hel.0000000002'],
  );
  assert.deepEqual(uuids(spool), ['ev-0', 'ev-1', 'ev-2', 'ev-3', 'ev-4', 'ev-5', 'ev-6', 'ev-7', 'ev-8']);
  spool.close();
});
