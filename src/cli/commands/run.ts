import type { Command } from 'commander';
import { describeError } from '../../errors/format.js';
import type { OnceReport } from '../../engine/runtime.js';
import { addCommonOptions, loadForCommand, type CommonFlags } from '../common-options.js';
import { openRuntime, type RunFlags } from '../open-runtime.js';
import { openEventBus } from '../../app/event-bus.js';
import { OnceProgress, STOPPED } from '../progress.js';
import { isCancellation } from '../../errors.js';
import { shutdownSignal } from '../signals.js';
import { metricsFor, serveOperations, type RunningServers } from '../../server/index.js';
import { AuditLog } from '../../log/audit.js';
import { reloader, reloadOnSighup } from '../reload.js';
import { dumpOnSigusr1, dumpState } from '../dump.js';
import { readConfigText } from '../../config/load.js';

interface RunOptions extends CommonFlags, RunFlags {
  once?: boolean;
  source?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** One line per source for the end of `run --once`, on stderr. */
export function summarize(reports: OnceReport[]): string {
  return reports
    .map(({ name, outcome }) => {
      if (outcome.ok) {
        const r = outcome.result;
        const dups = r.duplicates > 0 ? `, ${r.duplicates} duplicates dropped` : '';
        return `${name}: ok, ${r.pages} page${r.pages === 1 ? '' : 's'}, ${r.emitted} events${dups} (${r.stop})`;
      }
      if ('skipped' in outcome) return `${name}: SKIPPED: ${outcome.reason}`;
      if (isCancellation(outcome.error)) return `${name}: stopped: ${STOPPED}`;
      return `${name}: FAILED: ${describeError(outcome.error)}`;
    })
    .join('\n');
}

export function registerRunCommand(program: Command): void {
  addCommonOptions(program.command('run'))
    .description('collect events: every source on its schedule, or once with --once')
    .option('--once', 'poll every source until caught up (or max_pages), then exit')
    .option('-s, --source <name>', 'only this source (repeatable)', collect)
    .option('-o, --output <path>', 'append NDJSON to this file instead of stdout, or send it to an http(s):// URL')
    .option('--output-rotate <policy>', 'rotate the output file: daily or size:<MB>')
    .option('--state <path>', 'SQLite state file (default: global.state.path, ./hel-state.db)')
    .option('--record-dir <dir>', 'save every request/response (secrets redacted) under DIR')
    .option('--replay-dir <dir>', 'serve requests from recordings in DIR: no network, no credentials')
    .action(async (opts: RunOptions) => {
      const { config, logger } = loadForCommand(opts, { requireSecrets: opts.replayDir === undefined });
      const shutdown = shutdownSignal((name) => logger.info(`${name} received: finishing the page in flight and stopping`));
      const metrics = metricsFor(config.global);
      const audit = new AuditLog(logger, config.global.audit);
      audit.configLoaded(config.path, readConfigText(config.path));
      const bus = openEventBus(logger);
      metrics?.subscribe(bus);
      const opened = await openRuntime(config, opts, { logger, only: opts.source, bus, audit });
      let servers: RunningServers | undefined;
      // A continuous run reloads its config on SIGHUP (Helr's behaviour); `--once` has nothing to reload into.
      const reload = opts.once ? undefined : reloader({ runtime: opened.runtime, logger, audit, requireSecrets: opts.replayDir === undefined });
      const removeSighup = reload && reloadOnSighup(reload, logger);
      const removeSigusr1 = dumpOnSigusr1(() => dumpState(opened.runtime, metrics, logger), logger);
      try {
        servers = await serveOperations({ global: config.global, runtime: opened.runtime, metrics, logger, shutdown: shutdown.signal, once: Boolean(opts.once), reload });
        if (opts.once) {
          const progress = OnceProgress.start(
            process.stderr,
            opened.runtime.statuses().map((s) => s.name),
            bus,
            { quiet: opts.quiet },
          );
          const reports = await opened.runtime.runOnce(shutdown.signal).finally(() => progress?.stop());
          if (progress) process.stderr.write(progress.summary(reports) + '\n');
          else {
            // -q keeps only what went wrong.
            const shown = opts.quiet ? reports.filter((r) => !r.outcome.ok) : reports;
            if (shown.length > 0) process.stderr.write(summarize(shown) + '\n');
          }
          // A source another instance of the fleet is polling is not a failure of this one.
          if (!shutdown.signal.aborted && reports.some((r) => !r.outcome.ok && !('leasedBy' in r.outcome && r.outcome.leasedBy !== undefined))) process.exitCode = 1;
        } else {
          logger.info({ sources: config.sources.length }, 'hel started');
          await opened.runtime.runForever(shutdown.signal);
          logger.info('hel stopped');
        }
      } finally {
        removeSighup?.();
        removeSigusr1();
        await servers?.close();
        shutdown.dispose();
        await opened.close();
      }
    });
}
