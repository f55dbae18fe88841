import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { SourceRuntime } from '../../src/engine/source-runtime.js';
import { createLogger } from '../../src/log/logger.js';
import type { BatchSink } from '../../src/sink/batch-sink.js';
import type { HttpResponse, HttpTransport } from '../../src/http/transport.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import { captureStream } from '../helpers/log-capture.js';
import { openEventBus } from '../../src/app/event-bus.js';

const CONFIG = `
sources:
  okta:
    url: https://api.example.test/events
    resilience:
      circuit_breaker: { enabled: false }
`;

const nullSink: BatchSink = { description: 'null', write: () => Promise.resolve(), flush: () => Promise.resolve(), close: () => Promise.resolve(), healthy: () => true };

/** A transport that answers with whatever status the test sets next. */
function scriptedTransport(): { transport: HttpTransport; status: number } {
  const script = { status: 200, transport: undefined as unknown as HttpTransport };
  script.transport = {
    send: (request): Promise<HttpResponse> => Promise.resolve({ status: script.status, headers: {}, body: Buffer.from(script.status === 200 ? '[]' : '{}'), url: request.url }),
  };
  return script;
}

void test('a failing source logs once per change of problem, and once when it recovers', async () => {
  const source = parseConfig(CONFIG, 'hel.yaml', { env: {} }).sources[0]!;
  const out = captureStream();
  const script = scriptedTransport();
  const logger = createLogger({ level: 'info', format: 'json', destination: out.stream });
  const runtime = new SourceRuntime({
    source,
    transport: script.transport,
    sink: nullSink,
    store: new MemoryStateStore(),
    clock: systemClock,
    logger,
    events: openEventBus(logger),
    format: 'envelope',
  });
  await runtime.init();
  const signal = new AbortController().signal;
  const pollWith = async (status: number) => {
    script.status = status;
    await runtime.poll(signal);
  };

  for (const status of [500, 500, 500, 401, 401, 200, 200, 500]) await pollWith(status);

  const lines = out.lines().map((l) => ({ level: l.level, msg: String(l.msg), source: l.source }));
  assert.ok(
    lines.every((l) => l.source === 'okta'),
    'every line names the source',
  );
  const notable = lines.filter((l) => l.msg !== 'poll done').map((l) => `${String(l.level)} ${l.msg.replace(/ \(.*/, '')}`);
  assert.deepEqual(notable, ['50 poll failed: unexpected HTTP 500', '50 poll failed: unexpected HTTP 401', '30 recovered: poll succeeded', '50 poll failed: unexpected HTTP 500']);
  assert.equal(lines.filter((l) => l.msg === 'poll done').length, 2, 'one info line per successful poll, none per request');
});
