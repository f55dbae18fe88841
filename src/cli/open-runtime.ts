import type { LoadedConfig } from '../config/load.js';
import type { ResolvedSource } from '../config/resolved.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import { BudgetRegistry } from '../resilience/budget.js';
import { composeTransport } from '../app/compose.js';
import { openEventBus } from '../app/event-bus.js';
import type { HelBus } from '../app/hel-events.js';
import { recordingTransport } from '../http/record/recorder.js';
import { replayTransport } from '../http/record/replayer.js';
import type { HttpTransport } from '../http/transport.js';
import { Fleet } from '../engine/fleet.js';
import { Runtime } from '../engine/runtime.js';
import type { BatchSink } from '../sink/batch-sink.js';
import { openSink } from '../sink/open-sink.js';
import { MemoryStateStore } from '../state/memory.js';
import { SqliteStateStore } from '../state/sqlite.js';
import type { StateStore } from '../state/store.js';
import { isSharedStore } from '../state/lease.js';
import type { SecretReader } from '../secrets/resolver.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { HelError } from '../errors.js';
import { describeError, errorLogFields } from '../errors/format.js';
import { integrationOf } from '../integrations/registry.js';
import type { AuditLog } from '../log/audit.js';
import { Degradation } from '../engine/degradation.js';
import { HookHost } from '../hooks/host.js';
import { Bulkhead } from '../resilience/bulkhead.js';

/** Why a hook's fetch() fails under --replay-dir. */
const REPLAY_OFFLINE = 'hooks cannot fetch() under --replay-dir: a replay sends nothing to the network, and a fetch() is not in the recording';

export interface RunFlags {
  output?: string;
  outputRotate?: string;
  state?: string;
  recordDir?: string;
  replayDir?: string;
}

export interface OpenedRuntime {
  runtime: Runtime;
  /** The runtime's own event bus: subscribe here for its metrics, progress or pages. */
  bus: HelBus;
  close(): Promise<void>;
}

export async function openStore(config: LoadedConfig, flags: Pick<RunFlags, 'state' | 'replayDir'>, exclusive: boolean, secrets: SecretReader, log?: Logger): Promise<StateStore> {
  if (flags.replayDir !== undefined && flags.state === undefined) {
    log?.info('replay: using a throwaway in-memory state store (the live state is not touched); pass --state to keep it');
    return new MemoryStateStore();
  }
  const backend = config.global.state.backend;
  if (flags.state === undefined && backend === 'memory') return new MemoryStateStore();
  // Loaded only when used: their clients would otherwise slow every start-up.
  if (flags.state === undefined && backend === 'postgres') {
    const [{ PostgresStateStore }, { stateUrl }] = await Promise.all([import('../state/postgres/store.js'), import('../state/postgres/connect.js')]);
    return PostgresStateStore.open(stateUrl(config.global.state, secrets), config.global.state.tls);
  }
  if (flags.state === undefined && backend === 'redis') {
    const [{ RedisStateStore }, { stateUrl }] = await Promise.all([import('../state/redis/store.js'), import('../state/postgres/connect.js')]);
    return RedisStateStore.open(stateUrl(config.global.state, secrets), config.global.state.tls);
  }
  return new SqliteStateStore(flags.state ?? config.global.state.path, { exclusive });
}

const DEFAULT_LEASE_TTL_SECS = 30;

/** This instance's name in a fleet: configured, or host, pid and a random part (a restart is a new member). */
function instanceId(config: LoadedConfig): string {
  return config.global.state.instance_id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * `global.degradation.state_store_fallback: memory`: a store that cannot be opened (unreachable,
 * not writable) is replaced by memory, loudly. A store that opened but is held by another hel,
 * damaged or of a newer hel still fails: falling back there would run a second collector or guess.
 */
async function openStoreOrFallback(config: LoadedConfig, flags: Pick<RunFlags, 'state' | 'replayDir'>, secrets: SecretReader, degradation: Degradation, log: Logger): Promise<StateStore> {
  try {
    return await openStore(config, flags, true, secrets, log);
  } catch (err) {
    if (config.global.degradation.state_store_fallback !== 'memory' || !(err instanceof HelError) || err.code !== 'HEL_STATE' || err.cause === undefined) throw err;
    degradation.fallbackReason = err.message;
    log.error(
      { degraded: true, state_store_fallback_active: true, ...errorLogFields(err) },
      `STATE STORE FALLBACK: ${describeError(err)}; running on memory (global.degradation.state_store_fallback). Positions are not saved: every source starts from its configured start (events delivered before may be delivered again, and an API that starts at "now" skips what happened since the last saved position), and a restart starts over again. Polls are ${config.global.degradation.reduced_frequency_multiplier} times less frequent. Fix the state store and restart hel`,
    );
    return new MemoryStateStore();
  }
}

/** Builds the collector from a loaded config and the run flags: state, sink, transports. */
export async function openRuntime(
  config: LoadedConfig,
  flags: RunFlags,
  options: { logger: Logger; only?: string[]; clock?: Clock; bus?: HelBus; env?: NodeJS.ProcessEnv; commit?: boolean; audit?: AuditLog },
): Promise<OpenedRuntime> {
  if (flags.recordDir !== undefined && flags.replayDir !== undefined) {
    throw new HelError('HEL_USAGE', '--record-dir and --replay-dir cannot be used together');
  }
  const clock = options.clock ?? systemClock;
  // A subscriber that must see the start-up too (metrics) comes with a bus of openEventBus; others subscribe to `opened.bus`.
  const bus = options.bus ?? openEventBus(options.logger);
  const env = options.env ?? process.env;
  const secrets = config.secrets;
  const degradation = new Degradation(config.global.degradation);
  const audit = options.audit;
  const store = await openStoreOrFallback(config, flags, secrets.observed(audit && ((ref) => audit.credentialRead('global.state', ref))), degradation, options.logger);
  let sink: BatchSink | undefined;
  let fleet: Fleet | undefined;
  const hooks = new HookHost({ global: config.global.hooks, env, clock, logger: options.logger });
  try {
    const instance = instanceId(config);
    fleet = isSharedStore(store) ? new Fleet({ store, instance, ttlMs: (config.global.state.lease_ttl_secs ?? DEFAULT_LEASE_TTL_SECS) * 1000, clock, logger: options.logger, events: bus }) : undefined;
    const budgets = new BudgetRegistry(clock, isSharedStore(store) ? { ledger: store.budgets, owner: instance } : undefined);
    sink = openSink(config, {
      output: flags.output,
      outputRotate: flags.outputRotate,
      env,
      logger: options.logger,
      events: bus,
      onSecretRead: audit && ((ref) => audit.credentialRead('global.output', ref)),
    });
    // One set of request slots per source build, shared by its page, token and hook fetch() requests.
    const requestSlots = new WeakMap<ResolvedSource, Bulkhead>();
    const slotsOf = (source: ResolvedSource): Bulkhead | undefined => {
      const limit = source.resilience.bulkhead?.max_concurrent_requests ?? config.global.bulkhead.max_concurrent_requests;
      if (limit === undefined) return undefined;
      const slots = requestSlots.get(source) ?? new Bulkhead(limit);
      requestSlots.set(source, slots);
      return slots;
    };
    const transportFor = (source: ResolvedSource): HttpTransport => {
      const replay = flags.replayDir === undefined ? undefined : replayTransport(flags.replayDir, source);
      const recordDir = flags.recordDir;
      const recording = recordDir === undefined ? undefined : (inner: HttpTransport) => recordingTransport(recordDir, source, { secrets, inner });
      return composeTransport({
        source: source.name,
        // Replay sends no credentials, so it needs none.
        config: { auth: replay ? undefined : source.auth, resilience: source.resilience, max_response_bytes: source.max_response_bytes },
        secrets: secrets.observed(audit && ((ref) => audit.credentialRead(source.name, ref))),
        bulkhead: slotsOf(source),
        clock,
        budgets,
        events: bus,
        base: replay,
        wrapBase: recording,
        advise: (failure) => integrationOf(source)?.troubleshoot?.(failure),
      });
    };
    const runtime = await Runtime.create(
      {
        config,
        store,
        sink,
        commit: options.commit,
        transportFor,
        clock,
        logger: options.logger,
        events: bus,
        fleet,
        degradation,
        hooksFor: (source) => hooks.hooksFor(source, { bulkhead: slotsOf(source), offline: flags.replayDir === undefined ? undefined : REPLAY_OFFLINE }),
        hookScriptChanged: (source) => hooks.scriptChanged(source),
        retireHooks: (name) => hooks.retire(name),
      },
      options.only,
    );
    const openedSink = sink;
    const openedFleet = fleet;
    return {
      runtime,
      bus,
      async close() {
        await hooks.close();
        await openedFleet?.close();
        await openedSink.close();
        await store.close();
      },
    };
  } catch (err) {
    await hooks.close();
    await fleet?.close().catch(() => undefined);
    await sink?.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}
