import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../src/bus/event-bus.js';
import type { HelEventMap } from '../../src/app/hel-events.js';
import { OnceProgress, type ProgressStream } from '../../src/cli/progress.js';
import type { PageReport, PollResult } from '../../src/engine/poll.js';

function page(index: number, emitted: number, newestEventTime?: string): PageReport {
  return { index, status: 200, events: emitted, emitted, duplicates: 0, durationMs: 1, rateLimitHeaders: {}, newestEventTime };
}

function terminal(): ProgressStream & { text: string } {
  const stream = {
    isTTY: true,
    columns: 200,
    text: '',
    write(chunk: string): boolean {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

const done = (pages: number, emitted: number): { ok: true; result: PollResult } => ({
  ok: true,
  result: { pages, events: emitted, emitted, duplicates: 0, unkeyed: 0, stop: 'caught up', position: {}, cursorReset: false, oversized: 0 },
});

void test('run --once progress counts the pages of the bus per source, and stops listening when stopped', () => {
  const bus = new EventBus<HelEventMap>();
  const stream = terminal();
  const progress = OnceProgress.start(stream, ['audit', 'items'], bus, { now: () => Date.parse('2026-01-01T00:10:00Z') })!;
  bus.emit('poll.page', { source: 'audit', page: page(1, 1000, '2026-01-01T00:00:00Z') });
  bus.emit('poll.page', { source: 'audit', page: page(2, 500, '2026-01-01T00:05:00Z') });
  bus.emit('poll.page', { source: 'items', page: page(1, 7) });
  progress.stop();
  // A page after stop (another run's, or a late one) is not this progress's any more.
  bus.emit('poll.page', { source: 'audit', page: page(3, 999) });
  const table = progress.summary([
    { name: 'audit', outcome: { ok: false, error: new Error('HTTP 500') } },
    { name: 'items', outcome: done(1, 7) },
  ]);
  assert.match(table, /^audit +FAILED +2 +1,500 +0 +2026-01-01T00:05:00Z +HTTP 500$/m);
  assert.match(table, /^items +ok +1 +7 +0 +- +caught up$/m);
});

void test('without a terminal, or with -q, there is no progress', () => {
  const bus = new EventBus<HelEventMap>();
  assert.equal(OnceProgress.start({ isTTY: false, write: () => true }, ['audit'], bus), undefined);
  assert.equal(OnceProgress.start(terminal(), ['audit'], bus, { quiet: true }), undefined);
});
