import type { DumpConfig } from '../config/operations-schema.js';
import type { Runtime } from '../engine/runtime.js';
import { describeError, errorLogFields } from '../errors/format.js';
import type { Logger } from '../log/logger.js';
import { writeFileAtomic } from '../secrets/atomic-write.js';
import type { Metrics } from '../server/metrics.js';
import { stateKeysJson } from '../server/source-view.js';
import { exportState } from '../state/store.js';

/**
 * `global.dump_on_sigusr1`: the state of every source (the shape of `hel state export`) and the
 * Prometheus metrics, to the log or a file. No secret is in either: state holds positions (URLs
 * redacted as in the API), metrics hold counts. Read from the running config, so a reload applies.
 */
export async function dumpState(runtime: Runtime, metrics: Metrics | undefined, logger: Logger, now: () => number = Date.now): Promise<void> {
  const config: DumpConfig | undefined = runtime.config.global.dump_on_sigusr1;
  if (config === undefined) {
    logger.warn('SIGUSR1 received, but global.dump_on_sigusr1 is not set: nothing dumped');
    return;
  }
  const exported = await exportState(runtime.store);
  const state = Object.fromEntries(Object.entries(exported).map(([name, s]) => [name, { keys: stateKeysJson(s.keys), dedupe_window: s.dedupe_ids?.length ?? 0 }]));
  const dump = {
    dumped_at: new Date(now()).toISOString(),
    degradation: runtime.degradation.summary(),
    state,
    metrics: metrics ? await metrics.render() : null,
  };
  if (config.destination === 'log') {
    logger.info({ dump }, 'SIGUSR1 dump');
    return;
  }
  writeFileAtomic(config.path!, JSON.stringify(dump, null, 2) + '\n');
  logger.info({ path: config.path }, `SIGUSR1 dump written to ${config.path}`);
}

/** SIGUSR1 → `dump`. Replaces Node's default (starting the inspector), which a collector must not do. */
export function dumpOnSigusr1(dump: () => Promise<void>, logger: Logger): () => void {
  const handler = () => {
    dump().catch((err: unknown) => logger.error(errorLogFields(err), `SIGUSR1 dump failed: ${describeError(err)}`));
  };
  process.on('SIGUSR1', handler);
  return () => process.off('SIGUSR1', handler);
}
