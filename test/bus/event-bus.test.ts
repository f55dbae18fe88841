import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { EventBus } from '../../src/bus/event-bus.js';

interface Events {
  'page.done': { source: string; n: number };
  'poll.end': { source: string };
}

void test('a listener gets the payloads of its event only, in emit order; listeners run in subscription order', () => {
  const bus = new EventBus<Events>();
  const seen: string[] = [];
  bus.on('page.done', ({ source, n }) => seen.push(`first ${source} ${n}`));
  bus.on('poll.end', ({ source }) => seen.push(`end ${source}`));
  bus.on('page.done', ({ n }) => seen.push(`second ${n}`));
  bus.emit('page.done', { source: 'a', n: 1 });
  bus.emit('poll.end', { source: 'a' });
  bus.emit('page.done', { source: 'b', n: 2 });
  assert.deepEqual(seen, ['first a 1', 'second 1', 'end a', 'first b 2', 'second 2']);
});

void test('an event nobody listens to is dropped; unsubscribing stops one listener only', () => {
  const bus = new EventBus<Events>();
  bus.emit('poll.end', { source: 'nobody listens' });
  const seen: number[] = [];
  const stop = bus.on('page.done', ({ n }) => seen.push(n));
  bus.on('page.done', ({ n }) => seen.push(-n));
  bus.emit('page.done', { source: 'a', n: 1 });
  stop();
  stop();
  bus.emit('page.done', { source: 'a', n: 2 });
  assert.deepEqual(seen, [1, -1, -2]);
});

void test('subscribing or unsubscribing inside a listener changes the next emit, not the one running', () => {
  const bus = new EventBus<Events>();
  const seen: string[] = [];
  let stopSecond = (): void => undefined;
  bus.on('page.done', ({ n }) => {
    seen.push(`first ${n}`);
    stopSecond();
    if (n === 1) bus.on('page.done', ({ n: m }) => seen.push(`late ${m}`));
  });
  stopSecond = bus.on('page.done', ({ n }) => seen.push(`second ${n}`));
  bus.emit('page.done', { source: 'a', n: 1 });
  assert.deepEqual(seen, ['first 1', 'second 1']);
  seen.length = 0;
  bus.emit('page.done', { source: 'a', n: 2 });
  assert.deepEqual(seen, ['first 2', 'late 2']);
});

void test('a listener that throws reaches neither the emitter nor the other listeners: the handler gets it with the event name', () => {
  const failures: { event: string; message: string }[] = [];
  const bus = new EventBus<Events>((error, event) => failures.push({ event, message: (error as Error).message }));
  const seen: number[] = [];
  bus.on('page.done', () => {
    throw new Error('broken gauge');
  });
  bus.on('page.done', ({ n }) => seen.push(n));
  assert.doesNotThrow(() => bus.emit('page.done', { source: 'a', n: 7 }));
  assert.deepEqual(seen, [7]);
  assert.deepEqual(failures, [{ event: 'page.done', message: 'broken gauge' }]);
});

void test('without a handler, a throwing listener becomes a process warning (never silent)', async () => {
  const bus = new EventBus<Events>();
  bus.on('poll.end', () => {
    throw new Error('broken progress');
  });
  const warned = once(process, 'warning');
  bus.emit('poll.end', { source: 'a' });
  const [warning] = (await warned) as [Error & { code?: string }];
  assert.equal(warning.code, 'HEL_EVENT_LISTENER');
  assert.match(warning.message, /a listener of poll\.end threw: broken progress/);
});

void test("two buses never see each other's events", () => {
  const one = new EventBus<Events>();
  const two = new EventBus<Events>();
  const seen: string[] = [];
  one.on('page.done', ({ source }) => seen.push(`one ${source}`));
  two.on('page.done', ({ source }) => seen.push(`two ${source}`));
  one.emit('page.done', { source: 'x', n: 1 });
  two.emit('page.done', { source: 'x', n: 1 });
  assert.deepEqual(seen, ['one x', 'two x']);
});
