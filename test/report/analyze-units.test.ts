import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findBursts } from '../../src/report/analyze/sign-ins.js';
import { median } from '../../src/report/analyze/item-usage.js';
import { decodePermissions } from '../../src/report/analyze/vault-access.js';
import { auditSectionOf } from '../../src/report/analyze/audit-classes.js';
import { streamOf } from '../../src/report/read.js';

const MIN = 60_000;

void test('findBursts: ≥5 failures in any 60-minute window, overlapping windows merged', () => {
  assert.deepEqual(
    findBursts(
      'u',
      [0, 10, 20, 30].map((m) => m * MIN),
    ),
    [],
  );
  // Five failures spanning exactly 60 minutes count; 61 minutes do not.
  assert.equal(
    findBursts(
      'u',
      [0, 15, 30, 45, 60].map((m) => m * MIN),
    ).length,
    1,
  );
  assert.equal(
    findBursts(
      'u',
      [0, 15, 30, 45, 61].map((m) => m * MIN),
    ).length,
    0,
  );
  // A sustained run of 12 failures 10 minutes apart is one burst; a second run 5 h later is another.
  const run = Array.from({ length: 12 }, (_, i) => i * 10 * MIN);
  const later = Array.from({ length: 5 }, (_, i) => 300 * MIN + i * MIN);
  const bursts = findBursts('u', [...later, ...run]);
  assert.deepEqual(
    bursts.map((b) => [b.count, b.peakPerHour]),
    [
      [12, 7],
      [5, 5],
    ],
  );
});

void test('median pads quiet days with zeros', () => {
  assert.equal(median([2, 2, 2, 2, 32, 2, 2], 7), 2);
  assert.equal(median([40], 7), 0);
  assert.equal(median([1, 3], 2), 2);
  assert.equal(median([], 0), 0);
});

void test('decodePermissions names known bits and keeps the rest', () => {
  assert.deepEqual(decodePermissions(0), { value: 0, hex: '0x0', names: [] });
  assert.deepEqual(decodePermissions(48), { value: 48, hex: '0x30', names: ['reveal_item_password', 'read_items'] });
  assert.deepEqual(decodePermissions(32 | 4096), { value: 4128, hex: '0x1020', names: ['read_items'], unknownBits: '0x1000' });
});

void test('every audit event lands in exactly one section', () => {
  const of = (action: string, object_type: string) => auditSectionOf({ action, object_type });
  assert.equal(of('grant', 'uva'), 'vault-access');
  assert.equal(of('role', 'gm'), 'membership');
  assert.equal(of('role', 'user'), 'admin');
  assert.equal(of('enblmfa', 'user'), 'admin');
  assert.equal(of('update', 'account'), 'admin');
  assert.equal(of('suspend', 'user'), 'membership');
  assert.equal(of('changemp', 'user'), 'other');
  assert.equal(of('frobnicate', 'widget'), 'other');
});

void test('streams are told apart by endpoint, then by shape', () => {
  assert.equal(streamOf({ endpoint: '/api/v2/signinattempts', event: { uuid: 'x' } })?.kind, 'signin');
  assert.equal(streamOf({ endpoint: '/custom', event: { item_uuid: 'i', vault_uuid: 'v' } })?.kind, 'itemusage');
  assert.equal(streamOf({ action: 'a', object_type: 'o' })?.kind, 'audit');
  assert.equal(streamOf({ category: 'success', type: 'credentials_ok' })?.kind, 'signin');
  assert.equal(streamOf({ something: 'else' }), undefined);
});
