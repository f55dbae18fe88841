import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineEncoder } from '../../src/pipeline/envelope.js';
import { LineBuffer } from '../../src/pipeline/line-buffer.js';

function lineOf(encoder: LineEncoder, event: unknown): Record<string, unknown> {
  const lines = new LineBuffer();
  encoder.appendLine(lines, event, '/api/v2/auditevents', '2026-01-01T00:00:00.000Z', encoder.eventTime(event));
  const text = Buffer.from(lines.bytes()).toString('utf8');
  assert.ok(text.endsWith('\n') && text.indexOf('\n') === text.length - 1, 'one line');
  return JSON.parse(text) as Record<string, unknown>;
}

test('the envelope carries the event time as sent, escaped when it is not a plain time, else the time of collection', () => {
  const encoder = new LineEncoder({ format: 'envelope', labelKey: 'source', labelValue: 'audit', timestampPath: 'timestamp' });
  for (const ts of ['2026-01-31T12:00:00.000382202Z', '2026-01-31T12:00:00+02:00', 'Sat, 31 Jan 2026 "noon"', 'a\\b\nc', '2026-01-31T12:00:00Z\u2028']) {
    const line = lineOf(encoder, { uuid: 'u1', timestamp: ts });
    assert.equal(line.ts, ts);
    assert.deepEqual(line.event, { uuid: 'u1', timestamp: ts });
    assert.equal(line.source, 'audit');
    assert.equal(line.endpoint, '/api/v2/auditevents');
  }
  assert.equal(lineOf(encoder, { uuid: 'u2' }).ts, '2026-01-01T00:00:00.000Z');
  assert.equal(lineOf(encoder, { uuid: 'u3', timestamp: 1769860800 }).ts, '2026-01-31T12:00:00.000Z', 'epoch seconds');
});
