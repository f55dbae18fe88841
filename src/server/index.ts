import type { GlobalConfig } from '../config/schema.js';
import type { Runtime } from '../engine/runtime.js';
import type { Logger } from '../log/logger.js';
import { Metrics } from './metrics.js';
import type { HandlerDeps } from './handlers.js';
import { startServers, type RunningServers } from './server.js';

export { Metrics } from './metrics.js';
export type { RunningServers } from './server.js';

/** Metrics are collected only when something serves or dumps them. */
export function metricsFor(global: GlobalConfig): Metrics | undefined {
  return global.api.enabled || global.metrics.enabled || global.dump_on_sigusr1 !== undefined ? new Metrics() : undefined;
}

/** Starts the API and metrics listeners `global` asks for, reading status from `runtime`. */
export async function serveOperations(options: {
  global: GlobalConfig;
  runtime: Runtime;
  metrics: Metrics | undefined;
  logger: Logger;
  shutdown: AbortSignal;
  once: boolean;
  /** POST /api/v1/reload: the same reload as SIGHUP; absent with `--once`. */
  reload?: HandlerDeps['reload'];
}): Promise<RunningServers | undefined> {
  const { global, runtime, metrics } = options;
  if (!metrics) return undefined;
  metrics.watch(runtime);
  return startServers({ api: global.api, metricsListener: global.metrics, runtime, metrics, logger: options.logger, shutdown: options.shutdown, once: options.once, reload: options.reload });
}
