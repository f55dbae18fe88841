import { isConfigError } from '../config/errors.js';
import { loadConfig, readConfigText } from '../config/load.js';
import type { Runtime } from '../engine/runtime.js';
import { planSummary, restartOnlyChanges } from '../engine/reload-plan.js';
import type { ReportedCode } from '../errors/codes.js';
import { codeOf, describeError, errorLogFields } from '../errors/format.js';
import type { AuditLog } from '../log/audit.js';
import type { Logger } from '../log/logger.js';

/** A refused reload says why, and with which code (HEL_CONFIG for a file that does not validate or changes a key fixed at start). */
export type ReloadResult = { ok: true; changes: Record<string, string[]> } | { ok: false; error: string; errorCode: ReportedCode };

/**
 * Re-reads the config file the collector started with, validates it as `hel validate` does, and
 * applies it (Runtime.reload). A file that does not validate, or that changes a key fixed at start,
 * is refused with the reason logged, and the running config goes on unchanged.
 */
export function reloader(options: { runtime: Runtime; logger: Logger; audit: AuditLog; env?: NodeJS.ProcessEnv; requireSecrets?: boolean }): () => Promise<ReloadResult> {
  const { runtime, logger, audit } = options;
  return async () => {
    const path = runtime.config.path;
    const refuse = (reason: string, errorCode: ReportedCode): ReloadResult => {
      logger.error({ path, code: errorCode }, `reload refused, the running config is kept: ${reason}`);
      audit.configRejected(path, reason);
      return { ok: false, error: reason, errorCode };
    };
    let next;
    let text: string;
    try {
      next = loadConfig(path, { env: options.env, requireSecrets: options.requireSecrets, secrets: runtime.config.secrets });
      text = readConfigText(path);
    } catch (err) {
      return refuse(isConfigError(err) ? `the new config is invalid:\n${err.issues.length === 0 ? err.message : err.render()}` : describeError(err), codeOf(err));
    }
    const fixed = restartOnlyChanges(runtime.config.global, next.global);
    if (fixed.length > 0)
      return refuse(`${fixed.join(', ')} changed; ${fixed.length === 1 ? 'it applies' : 'they apply'} only at start: restart hel to use the new value${fixed.length === 1 ? '' : 's'}`, 'HEL_CONFIG');
    for (const warning of next.warnings) logger.warn(warning);
    try {
      const plan = await runtime.reload(next, next.global.reload.restart_sources_on_sighup);
      const changes = planSummary(plan);
      audit.configure(next.global.audit);
      audit.configReloaded(path, text, changes);
      return { ok: true, changes };
    } catch (err) {
      return refuse(describeError(err), codeOf(err));
    }
  };
}

/** SIGHUP → `reload`, one at a time (a signal during a reload waits for it). Returns the remover. */
export function reloadOnSighup(reload: () => Promise<ReloadResult>, logger: Logger): () => void {
  let queue: Promise<unknown> = Promise.resolve();
  const handler = () => {
    logger.info('SIGHUP received: reloading the config');
    queue = queue.then(reload).catch((err: unknown) => logger.error(errorLogFields(err), `reload failed: ${describeError(err)}`));
  };
  process.on('SIGHUP', handler);
  return () => process.off('SIGHUP', handler);
}
