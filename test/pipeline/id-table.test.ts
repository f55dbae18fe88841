import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashOf, IdSet } from '../../src/pipeline/id-table.js';

test('an IdSet finds what was added across growth, forgets everything on clear, and takes ids again after', () => {
  const set = new IdSet();
  const ids = Array.from({ length: 5000 }, (_, i) => `uuid-${i}`);
  for (const id of ids) set.add(id);
  set.add('uuid-7');
  assert.ok(ids.every((id) => set.has(id)));
  assert.equal(set.has('uuid-5000'), false);
  set.clear();
  assert.ok(ids.every((id) => !set.has(id)));
  set.add('uuid-1');
  assert.equal(set.has('uuid-1'), true);
  assert.equal(set.has('uuid-2'), false);
});

test('ids with the same hash are told apart by their text', () => {
  // Strings of one 32-bit hash, found by brute force: the table must compare the ids, not trust the hash.
  const seen = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; pair === undefined; i++) {
    const id = `e${i}`;
    const other = seen.get(hashOf(id));
    if (other !== undefined) pair = [other, id];
    else seen.set(hashOf(id), id);
  }
  const set = new IdSet();
  set.add(pair[0]);
  assert.equal(set.has(pair[0]), true);
  assert.equal(set.has(pair[1]), false, `${pair[0]} and ${pair[1]} share a hash`);
  set.add(pair[1]);
  assert.equal(set.has(pair[1]), true);
});
