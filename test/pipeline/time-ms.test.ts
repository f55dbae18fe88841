import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeMs } from '../../src/pipeline/time-ms.js';

test('timeMs agrees with Date.parse on the usual UTC shapes, fractions of any length, and whatever else it hands over', () => {
  const samples = [
    '2026-01-31T12:00:00Z',
    '2026-01-31T12:00:00.1Z',
    '2026-01-31T12:00:00.12Z',
    '2026-01-31T12:00:00.123Z',
    '2026-01-31T12:00:00.000382202Z',
    '1970-01-01T00:00:00.000Z',
    '0001-01-01T00:00:00Z',
    '9999-12-28T23:59:59.999999999Z',
    '2026-02-29T00:00:00Z',
    '2024-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-10T24:00:00Z',
    '2026-01-10T23:60:00Z',
    '2026-01-10T23:59:60Z',
    '2026-01-10T12:00:00.Z',
    '2026-01-10T12:00:00.1a3Z',
    '2026-01-10T12:00:00+02:00',
    '2026-01-10T12:00:00.5-07:00',
    '2026-01-10 12:00:00Z',
    '2026-1-10T12:00:00Z',
    '2026-01-10',
    'Sat, 10 Jan 2026 12:00:00 GMT',
    'not a time',
    '',
  ];
  for (let i = 0; i < 20_000; i++) {
    const at = new Date(Date.UTC(1970 + (i % 130), (i * 7) % 12, 1 + ((i * 13) % 31), (i * 5) % 24, (i * 11) % 60, (i * 17) % 60, (i * 37) % 1000));
    samples.push(at.toISOString(), at.toISOString().replace(/\.\d+Z$/, 'Z'), at.toISOString().replace(/Z$/, `${i % 1000}Z`));
  }
  for (const text of samples) assert.equal(timeMs(text), Date.parse(text), text);
});
