import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `id-${from + i}`);

test('idOf reads the id path; an absent, empty or non-string id is unkeyed', () => {
  const window = new DedupeWindow('meta.uuid', 10);
  assert.equal(window.idOf({ meta: { uuid: 'a-1' } }), 'a-1');
  assert.equal(window.idOf({ meta: { uuid: '' } }), undefined);
  assert.equal(window.idOf({ meta: { uuid: 42 } }), undefined);
  assert.equal(window.idOf({ meta: {} }), undefined);
  assert.equal(window.idOf('not an object'), undefined);
});

test('remember is idempotent: an id already in the window neither grows it nor moves it', () => {
  const window = new DedupeWindow('id', 3, ['a', 'b', 'c']);
  window.remember('a');
  assert.equal(window.size, 3);
  window.remember('d');
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((id) => window.has(id)),
    [false, true, true, true],
    'a stayed the oldest and was evicted first',
  );
});

test('the window keeps the newest `capacity` ids and evicts in insertion order, as the stores trim', () => {
  const window = new DedupeWindow('id', 5, ids(1, 3));
  for (const id of ids(4, 9)) window.remember(id);
  assert.equal(window.size, 5);
  assert.deepEqual(
    ids(1, 9).filter((id) => window.has(id)),
    ids(5, 9),
  );
});

test('initial ids longer than the capacity keep only the newest', () => {
  const window = new DedupeWindow('id', 2, ids(1, 6));
  assert.deepEqual(
    ids(1, 6).filter((id) => window.has(id)),
    ids(5, 6),
  );
});

test('an evicted id remembered again is the newest and outlives the ids after it', () => {
  const window = new DedupeWindow('id', 3, ['a', 'b', 'c']);
  window.remember('d'); // evicts a
  window.remember('a'); // evicts b
  window.remember('e'); // evicts c
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e'].map((id) => window.has(id)),
    [true, false, false, true, true],
  );
});

test('far more ids than the queue compaction threshold: the window stays exact and bounded', () => {
  const capacity = 1000;
  const window = new DedupeWindow('id', capacity);
  const total = 300_000;
  for (let i = 1; i <= total; i++) window.remember(`id-${i}`);
  assert.equal(window.size, capacity);
  assert.equal(window.has(`id-${total - capacity}`), false);
  assert.equal(window.has(`id-${total - capacity + 1}`), true);
  assert.equal(window.has(`id-${total}`), true);
  // Still evicting in order after compactions.
  window.remember('late');
  assert.equal(window.has(`id-${total - capacity + 1}`), false);
  assert.equal(window.has(`id-${total - capacity + 2}`), true);
});

test('ids whose hashes collide and wrap around the table are found, evicted and re-added exactly (against a reference window)', () => {
  // A small capacity keeps the table small, so runs of probes cross its end and deletions shift entries back.
  for (const capacity of [1, 7, 300, 2000]) {
    const window = new DedupeWindow('id', capacity);
    const reference: string[] = [];
    let seed = capacity;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 5000) / 5000;
    for (let step = 0; step < 20_000; step++) {
      const id = `k${Math.floor(random() * capacity * 3)}`;
      assert.equal(window.has(id), reference.includes(id), `step ${step}: has(${id})`);
      window.remember(id);
      if (!reference.includes(id)) {
        reference.push(id);
        if (reference.length > capacity) reference.shift();
      }
      assert.equal(window.size, reference.length);
    }
    for (let i = 0; i < capacity * 3; i++) assert.equal(window.has(`k${i}`), reference.includes(`k${i}`), `k${i} at the end`);
  }
});
