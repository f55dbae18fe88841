import type { LoadedConfig, ResolvedSource } from '../config/load.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import { withRetryLog } from '../log/transport-log.js';
import { BudgetRegistry } from '../resilience/budget.js';
import { composeTransport } from '../source/compose.js';
import { recordingTransport } from '../source/record/recorder.js';
import { replayTransport } from '../source/record/replayer.js';
import type { HttpTransport, TransportEvents } from '../source/transport.js';
import { Runtime } from '../engine/runtime.js';
import type { EngineObserver } from '../engine/source-runtime.js';
import type { BatchSink } from '../sink/batch-sink.js';
import { openSink } from '../sink/open-sink.js';
import { MemoryStateStore } from '../state/memory.js';
import { SqliteStateStore } from '../state/sqlite.js';
import type { StateStore } from '../state/store.js';
import { HelError } from '../errors.js';
import { integrationOf } from '../integrations/registry.js';

export interface RunFlags {
  output?: string;
  outputRotate?: string;
  state?: string;
  recordDir?: string;
  replayDir?: string;
}

export interface OpenedRuntime {
  runtime: Runtime;
  close(): Promise<void>;
}

export function openStore(config: LoadedConfig, flags: Pick<RunFlags, 'state' | 'replayDir'>, exclusive: boolean, log?: Logger): StateStore {
  if (flags.replayDir !== undefined && flags.state === undefined) {
    log?.info('replay: using a throwaway in-memory state store (the live state is not touched); pass --state to keep it');
    return new MemoryStateStore();
  }
  if (flags.state === undefined && config.global.state.backend === 'memory') return new MemoryStateStore();
  return new SqliteStateStore(flags.state ?? config.global.state.path, { exclusive });
}

/** Builds the collector from a loaded config and the run flags: state, sink, transports. */
export async function openRuntime(
  config: LoadedConfig,
  flags: RunFlags,
  options: { logger: Logger; only?: string[]; clock?: Clock; events?: TransportEvents; observer?: EngineObserver; env?: NodeJS.ProcessEnv; commit?: boolean },
): Promise<OpenedRuntime> {
  if (flags.recordDir !== undefined && flags.replayDir !== undefined) {
    throw new HelError('HEL_USAGE', '--record-dir and --replay-dir cannot be used together');
  }
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const budgets = new BudgetRegistry(clock);
  const secrets = { env, secretsPath: config.global.secrets.path, keyFile: config.global.secrets.key_file };
  const store = openStore(config, flags, true, options.logger);
  let sink: BatchSink | undefined;
  try {
    sink = openSink(config, { output: flags.output, outputRotate: flags.outputRotate, env, logger: options.logger });
    const transportEvents = withRetryLog(options.logger, options.events);
    const transportFor = (source: ResolvedSource): HttpTransport => {
      const replay = flags.replayDir === undefined ? undefined : replayTransport(flags.replayDir, source);
      const recording = flags.recordDir === undefined ? undefined : recordingTransport(flags.recordDir, source, { events: options.events, secrets });
      return composeTransport({
        source: source.name,
        // Replay sends no credentials, so it needs none.
        config: { auth: replay ? undefined : source.auth, resilience: source.resilience, max_response_bytes: source.max_response_bytes },
        secrets,
        clock,
        budgets,
        events: transportEvents,
        base: replay ?? recording,
        advise: (failure) => integrationOf(source)?.troubleshoot?.(failure),
      });
    };
    const runtime = await Runtime.create({ config, store, sink, commit: options.commit, transportFor, clock, logger: options.logger, observer: options.observer }, options.only);
    const openedSink = sink;
    return {
      runtime,
      async close() {
        await openedSink.close();
        await store.close();
      },
    };
  } catch (err) {
    await sink?.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}
