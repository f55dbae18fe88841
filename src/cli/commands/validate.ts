import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import type { ResolvedSource } from '../../config/resolved.js';
import { configPath } from '../config-path.js';
import { redactUrl } from '../../http/redact-url.js';
import { integrationOf } from '../../integrations/registry.js';

function describeSource(s: ResolvedSource): string {
  const p = s.pagination;
  const paging = p.strategy === 'none' ? 'single request' : `${p.strategy}${'max_pages' in p ? ` (max ${p.max_pages} pages)` : ''}`;
  const every = `every ${s.schedule.interval_secs}s${s.schedule.jitter_secs ? ` ±${s.schedule.jitter_secs}s` : ''}`;
  const extras = [s.dedupe && `dedupe ${s.dedupe.id_path}`, s.resilience.rate_limit.budget && `budget ${s.resilience.rate_limit.budget}`].filter(Boolean).join(', ');
  const from = s.integration?.entry !== undefined ? ` [from ${s.integration.entry}: type ${s.integration.type}]` : '';
  return `${s.name}: ${s.method.toUpperCase()} ${redactUrl(s.url)}, ${paging}, ${every}${extras ? `, ${extras}` : ''}${from}`;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check hel.yaml and print one line per source (no network calls)')
    .option('-c, --config <path>', 'config file (default: $HEL_CONFIG or hel.yaml)')
    .option('--online', 'also run the connection test of every source whose integration has one')
    .option('-v, --verbose', 'one line per source, also for the accounts of a multi-account entry (default: one line per account)')
    .action(async (opts: { config?: string; online?: boolean; verbose?: boolean }) => {
      const config = loadConfig(configPath(opts.config));
      for (const warning of config.warnings) process.stderr.write(`warning: ${warning}\n`);
      const folded = opts.verbose ? new Map<ResolvedSource, string | null>() : foldAccountSources(config.sources);
      for (const source of config.sources) {
        const line = folded.get(source);
        if (line !== null) process.stdout.write((line ?? describeSource(source)) + '\n');
      }
      process.stdout.write(`config valid: ${config.sources.length} source${config.sources.length === 1 ? '' : 's'} in ${config.path}\n`);
      if (!opts.online) return;
      // Loaded only here: a connection test brings undici, and test.js the whole runtime.
      const { formatChecks } = await import('./test.js');
      const { sourceProbe } = await import('../../app/probe.js');
      for (const source of config.sources) {
        const connectionTest = integrationOf(source)?.connectionTest;
        if (connectionTest === undefined) continue;
        const check = await connectionTest();
        const checks = await check(source, config.secrets, Date.now(), AbortSignal.timeout(30_000), sourceProbe(config.secrets));
        process.stdout.write(`${source.name}: connection test\n${formatChecks(checks)}\n`);
        if (checks.some((c) => c.level === 'fail')) process.exitCode = 1;
      }
    });
}

/**
 * Without -v, the sources of one account of a multi-account entry fold into one line, so hundreds
 * of accounts stay readable. Maps the first source of each account to its line, the others to null.
 */
function foldAccountSources(sources: ResolvedSource[]): Map<ResolvedSource, string | null> {
  const groups = new Map<string, ResolvedSource[]>();
  for (const source of sources) {
    const { entry, account } = source.integration ?? {};
    if (entry === undefined || account === undefined) continue;
    const key = `${entry}\u0000${account}`;
    groups.set(key, [...(groups.get(key) ?? []), source]);
  }
  const folded = new Map<ResolvedSource, string | null>();
  for (const [first, ...others] of groups.values()) {
    if (!first) continue;
    const origins = [...new Set([first, ...others].map((s) => new URL(s.url).origin))].join(', ');
    const streams = [first, ...others].map((s) => s.integration?.stream ?? s.name).join(', ');
    const every = `every ${first.schedule.interval_secs}s${first.schedule.jitter_secs ? ` ±${first.schedule.jitter_secs}s` : ''}`;
    const budget = first.resilience.rate_limit.budget === undefined ? '' : `, budget ${first.resilience.rate_limit.budget}`;
    const n = others.length + 1;
    folded.set(first, `${first.integration?.entry}/${first.integration?.account}: ${n} source${n === 1 ? '' : 's'} (${streams}) at ${origins}, ${every}${budget}`);
    for (const other of others) folded.set(other, null);
  }
  return folded;
}
