import type { Command } from 'commander';
import { sourceProbe } from '../../app/probe.js';
import { HelError } from '../../errors.js';
import { describeError } from '../../errors/format.js';
import type { PageReport } from '../../engine/poll.js';
import type { CheckLine } from '../../integrations/integration.js';
import { integrationOf } from '../../integrations/registry.js';
import { addCommonOptions, loadForCommand, type CommonFlags } from '../common-options.js';
import { openRuntime, type RunFlags } from '../open-runtime.js';
import { shutdownSignal } from '../signals.js';

interface TestOptions extends CommonFlags, RunFlags {
  source?: string;
  commit?: boolean;
}

const MARK: Record<CheckLine['level'], string> = { ok: 'ok  ', info: '    ', warn: 'WARN', fail: 'FAIL' };

export function formatChecks(lines: CheckLine[]): string {
  return lines.map((l) => `  ${MARK[l.level]} ${l.text}`).join('\n');
}

function pageLine(p: PageReport): string {
  const headers = Object.entries(p.rateLimitHeaders)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const dups = p.duplicates > 0 ? ` (${p.duplicates} duplicates dropped)` : '';
  return `  page ${p.index}: HTTP ${p.status}, ${p.events} events${dups}, ${p.durationMs} ms${headers ? `, ${headers}` : ''}`;
}

export function registerTestCommand(program: Command): void {
  addCommonOptions(program.command('test'))
    .description('one poll of one source: events to stdout, a diagnosis to stderr; the stored cursor is not moved without --commit')
    .requiredOption('-s, --source <name>', 'the source to test')
    .option('--commit', 'save the new cursor and dedupe window, as a real poll would')
    .option('-o, --output <path>', 'append NDJSON to this file instead of stdout, or send it to an http(s):// URL')
    .option('--state <path>', 'SQLite state file (default: global.state.path)')
    .option('--replay-dir <dir>', 'serve requests from recordings in DIR')
    .action(async (opts: TestOptions) => {
      const { config, logger } = loadForCommand(opts, { requireSecrets: opts.replayDir === undefined });
      const source = config.sources.find((s) => s.name === opts.source);
      if (!source) throw new HelError('HEL_USAGE', `no source named ${opts.source}`, { hint: `sources: ${config.sources.map((s) => s.name).join(', ')}` });
      const shutdown = shutdownSignal();
      const err = (line: string) => process.stderr.write(line + '\n');
      try {
        let connectionFailed = false;
        const integration = integrationOf(source);
        if (integration?.connectionTest && opts.replayDir === undefined) {
          err(`${source.name}: ${integration.title} connection test`);
          const check = await integration.connectionTest();
          const checks = await check(source, config.secrets, Date.now(), shutdown.signal, sourceProbe(config.secrets));
          err(formatChecks(checks));
          connectionFailed = checks.some((c) => c.level === 'fail');
        }
        const opened = await openRuntime(config, opts, { logger, only: [source.name], commit: opts.commit === true });
        try {
          const before = { ...opened.runtime.source(source.name)!.state.keys };
          const started = Date.now();
          err(`${source.name}: one poll of ${source.method.toUpperCase()} ${opened.runtime.source(source.name)!.status.url}`);
          const stopPages = opened.bus.on('poll.page', ({ page }) => err(pageLine(page)));
          const outcome = await opened.runtime.pollNow(source.name, shutdown.signal, { commit: opts.commit === true }).finally(stopPages);
          if (outcome.ok) {
            const r = outcome.result;
            err(`  ${r.pages} page(s), ${r.events} events, ${r.emitted} written, ${r.duplicates} duplicates, ${Date.now() - started} ms; stopped: ${r.stop}`);
            for (const key of ['cursor', 'next_url']) {
              if (r.position[key] !== before[key])
                err(`  ${key} ${opts.commit ? 'moved' : 'would move'}: ${before[key] ?? '(none)'} -> ${r.position[key] ?? '(none)'}${opts.commit ? '' : ' (not saved: pass --commit)'}`);
            }
            if (r.events === 0 && integration?.noEventsHint !== undefined) err(`  no events: ${integration.noEventsHint}`);
          } else if ('skipped' in outcome) {
            err(`  skipped: ${outcome.reason}`);
          } else {
            err(`  FAILED: ${describeError(outcome.error)}`);
          }
          if (!outcome.ok || connectionFailed) process.exitCode = 1;
        } finally {
          await opened.close();
        }
      } finally {
        shutdown.dispose();
      }
    });
}
