import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { pollSource, type PollEventMap } from '../../src/engine/poll.js';
import { SourceState } from '../../src/engine/source-state.js';
import { HelError } from '../../src/errors.js';
import { LineEncoder } from '../../src/pipeline/envelope.js';
import { BudgetRegistry } from '../../src/resilience/budget.js';
import { composeTransport } from '../../src/app/compose.js';
import { createDispatcher } from '../../src/http/http-transport.js';
import { paginatorFor } from '../../src/http/pagination/index.js';
import type { BatchSink, SinkBatch } from '../../src/sink/batch-sink.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import type { Checkpoint } from '../../src/state/store.js';
import { EventBus } from '../../src/bus/event-bus.js';
import { SecretResolver } from '../../src/secrets/resolver.js';
import { fakeApi, type Handler } from './fake-api.js';
import type { Cleanups } from './loopback.js';

/** Logs `write <lines>` and `flush` in order; the flushes from number `failFlushAt` on fail (a full disk) instead. */
export class LoggingSink implements BatchSink {
  readonly description = 'logging';
  private flushes = 0;
  constructor(
    private readonly log: string[],
    private readonly failFlushAt = Infinity,
  ) {}
  write(batch: SinkBatch): Promise<void> {
    this.log.push(`write ${batch.lineEnds.length}`);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    if (++this.flushes >= this.failFlushAt) return Promise.reject(new HelError('HEL_OUTPUT', 'disk full'));
    this.log.push('flush');
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  healthy(): boolean {
    return true;
  }
}

/** Logs `commit <cursor>`; the commits numbered in `failing` (1-based) log `commit failed <cursor>` and throw `error()`. */
export class LoggingStore extends MemoryStateStore {
  private commits = 0;
  constructor(
    private readonly log: string[],
    private readonly failing: number[] = [],
    private readonly error: () => Error = () => new HelError('HEL_STATE', 'cannot save state for s in st.db: database or disk is full', { source: 's' }, { cause: new Error('SQLITE_FULL') }),
  ) {
    super();
  }
  override commit(source: string, checkpoint: Checkpoint): Promise<void> {
    if (this.failing.includes(++this.commits)) {
      this.log.push(`commit failed ${checkpoint.keys.cursor}`);
      return Promise.reject(this.error());
    }
    this.log.push(`commit ${checkpoint.keys.cursor}`);
    return super.commit(source, checkpoint);
  }
}

/**
 * One poll of source `s` — cursor pagination over a fake API answering with `handler`, one attempt
 * per request, plus the `extra` keys — run in process by the real engine into `sink` and `store`.
 * The poll's warnings are appended to `warnings`.
 */
export async function pollOnce(t: Cleanups, handler: Handler, extra: Record<string, unknown>, sink: BatchSink, store: MemoryStateStore, warnings: string[] = []) {
  const api = await fakeApi(t, handler);
  const config = parseConfig(
    JSON.stringify({
      sources: { s: { url: `${api.url}/e`, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' }, resilience: { retries: { max_attempts: 1 } }, ...extra } },
    }),
    'x.yaml',
    { env: {} },
  );
  const source = config.sources[0]!;
  const dispatcher = createDispatcher({});
  t.after(() => dispatcher.destroy());
  const transport = composeTransport({
    source: 's',
    config: source,
    secrets: new SecretResolver({ env: {}, path: '/nonexistent' }),
    clock: systemClock,
    budgets: new BudgetRegistry(systemClock),
    dispatcher,
  });
  const state = await SourceState.load(store, 's');
  const events = new EventBus<PollEventMap>();
  events.on('poll.warning', ({ message }) => warnings.push(message));
  return pollSource(
    { source, transport, paginator: paginatorFor(source), encoder: new LineEncoder({ format: 'envelope', labelKey: 'source', labelValue: 's' }), sink, state, clock: systemClock, events },
    { signal: new AbortController().signal, commit: true },
  );
}
