import type { TestContext } from 'node:test';
import { composeTransport } from '../../src/app/compose.js';
import { parseConfig } from '../../src/config/load.js';
import type { ResolvedSource } from '../../src/config/resolved.js';
import { SourceRuntime } from '../../src/engine/source-runtime.js';
import { createLogger } from '../../src/log/logger.js';
import { BudgetRegistry } from '../../src/resilience/budget.js';
import type { BatchSink } from '../../src/sink/batch-sink.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import { captureStream } from './log-capture.js';
import { FakeClock } from './clock.js';
import { testDispatcher } from './loopback.js';
import { openEventBus } from '../../src/app/event-bus.js';
import { SecretResolver } from '../../src/secrets/resolver.js';

export interface SourceEngine {
  source: ResolvedSource;
  runtime: SourceRuntime;
  store: MemoryStateStore;
  clock: FakeClock;
  /** Events delivered to the sink, in order. */
  events: Record<string, unknown>[];
  /** Log lines (JSON) the source wrote. */
  logs(): Record<string, unknown>[];
  poll(): ReturnType<SourceRuntime['poll']>;
}

/** Parts a test supplies instead of the defaults (a fresh memory store, a sink that keeps the events). */
export interface SourceEngineParts {
  store?: MemoryStateStore;
  sink?: BatchSink;
}

/**
 * One source of `yaml` as `hel run` runs it — parsed config, the composed request path over a
 * real undici agent, the poll engine — with a fake clock, memory state and a sink that keeps
 * the events. `keys` is committed state from an earlier run.
 */
export async function sourceEngine(t: TestContext, yaml: string, keys: Record<string, string> = {}, parts: SourceEngineParts = {}): Promise<SourceEngine> {
  const source = parseConfig(yaml, 'hel.yaml', { env: {} }).sources[0]!;
  const clock = new FakeClock();
  const store = parts.store ?? new MemoryStateStore();
  if (Object.keys(keys).length > 0) await store.commit(source.name, { keys });
  const events: Record<string, unknown>[] = [];
  const sink: BatchSink = parts.sink ?? {
    description: 'memory',
    write: (batch) => {
      for (const line of Buffer.from(batch.bytes).toString('utf8').split('\n')) {
        if (line !== '') events.push((JSON.parse(line) as { event: Record<string, unknown> }).event);
      }
      return Promise.resolve();
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    healthy: () => true,
  };
  const transport = composeTransport({
    source: source.name,
    config: { auth: source.auth, resilience: source.resilience, max_response_bytes: source.max_response_bytes },
    secrets: new SecretResolver({ env: {}, path: '/nonexistent/hel-secrets.enc' }),
    clock,
    budgets: new BudgetRegistry(clock),
    dispatcher: testDispatcher(t),
  });
  const log = captureStream();
  const logger = createLogger({ level: 'info', format: 'json', destination: log.stream });
  const runtime = new SourceRuntime({ source, transport, sink, store, clock, logger, events: openEventBus(logger), format: 'envelope' });
  await runtime.init();
  const signal = new AbortController().signal;
  return { source, runtime, store, clock, events, logs: () => log.lines(), poll: () => runtime.poll(signal) };
}
