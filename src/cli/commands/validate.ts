import type { Command } from 'commander';
import { loadConfig, type ResolvedSource } from '../../config/load.js';
import { configPath } from '../config-path.js';
import { redactUrl } from '../../source/redact-url.js';
import { streamOfUrl } from '../../integrations/onepassword/regions.js';
import { foldAccountSources } from '../../integrations/onepassword/accounts.js';

export function describeSource(s: ResolvedSource): string {
  const p = s.pagination;
  const paging = p.strategy === 'none' ? 'single request' : `${p.strategy}${'max_pages' in p ? ` (max ${p.max_pages} pages)` : ''}`;
  const every = `every ${s.schedule.interval_secs}s${s.schedule.jitter_secs ? ` ±${s.schedule.jitter_secs}s` : ''}`;
  const extras = [s.dedupe && `dedupe ${s.dedupe.id_path}`, s.resilience.rate_limit.budget && `budget ${s.resilience.rate_limit.budget}`]
    .filter(Boolean)
    .join(', ');
  const from = s.onepassword ? ` [from ${s.onepassword.entry}: type onepassword]` : '';
  return `${s.name}: ${s.method.toUpperCase()} ${redactUrl(s.url)}, ${paging}, ${every}${extras ? `, ${extras}` : ''}${from}`;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check hel.yaml and print one line per source (no network calls)')
    .option('-c, --config <path>', 'config file (default: $HEL_CONFIG or hel.yaml)')
    .option('--online', 'also run the 1Password connection test (introspect) for every 1Password source')
    .option('-v, --verbose', 'one line per source, also for the accounts of a 1Password entry (default: one line per account)')
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
      // Loaded only here: the connection test brings undici, and test.js the whole runtime.
      const { checkOnePasswordConnection } = await import('../../integrations/onepassword/connection-test.js');
      const { formatChecks } = await import('./test.js');
      const secrets = { env: process.env, secretsPath: config.global.secrets.path, keyFile: config.global.secrets.key_file };
      for (const source of config.sources.filter((s) => s.onepassword || streamOfUrl(s.url))) {
        const checks = await checkOnePasswordConnection(source, secrets, Date.now(), AbortSignal.timeout(30_000));
        process.stdout.write(`${source.name}: connection test\n${formatChecks(checks)}\n`);
        if (checks.some((c) => c.level === 'fail')) process.exitCode = 1;
      }
    });
}
