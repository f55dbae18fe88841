import { Option, type Command } from 'commander';
import { HelError } from '../../errors.js';
import { buildReport, buildReportsByAccount } from '../../report/analyze/index.js';
import { parseTimeArg } from '../../report/time-arg.js';
import { REPORT_FORMATS, renderReport, writeReport, type ReportFormat } from '../../report/write-report.js';

interface ReportCliOptions {
  input: string[];
  since?: string;
  until?: string;
  format: ReportFormat;
  out: string;
  gapHours: string;
  tokenExpiry?: string;
  account?: string;
  perAccount?: boolean;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('build a compliance evidence pack (HTML, JSON or Markdown) from collected 1Password NDJSON')
    .requiredOption('-i, --input <files...>', 'NDJSON files written by hel (envelope, raw, ocsf or ecs format)')
    .option('--since <time>', 'first instant to include (ISO 8601, or relative like 30d)')
    .option('--until <time>', 'instant to stop before (ISO 8601, or relative like 1d)')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...REPORT_FORMATS]).default('html'))
    .requiredOption('-o, --out <path>', 'output file ("-" for stdout)')
    .option('--gap-hours <n>', 'report gaps longer than this between consecutive events', '24')
    .option('--token-expiry <time>', "the Events API token's expiry (ISO 8601), shown in the coverage section")
    .option('--account <name>', 'only the events of this account (from a type: onepassword entry with accounts:)')
    .option('--per-account', 'one report per account, written to --out with {account} replaced by the account name')
    .action(async (opts: ReportCliOptions) => {
      const now = Date.now();
      const gapHours = Number(opts.gapHours);
      if (!Number.isFinite(gapHours) || gapHours <= 0) {
        throw new HelError('HEL_USAGE', `--gap-hours must be a positive number, not ${JSON.stringify(opts.gapHours)}`, { hint: 'e.g. --gap-hours 24' });
      }
      const since = opts.since === undefined ? undefined : parseTimeArg('--since', opts.since, now);
      const until = opts.until === undefined ? undefined : parseTimeArg('--until', opts.until, now);
      if (since !== undefined && until !== undefined && since >= until) {
        throw new HelError('HEL_USAGE', '--since must be before --until', { hint: 'swap the two times' });
      }
      const tokenExpiry = opts.tokenExpiry === undefined ? undefined : parseTimeArg('--token-expiry', opts.tokenExpiry, now);
      const options = {
        inputs: opts.input,
        window: { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) },
        gapHours,
        ...(tokenExpiry !== undefined ? { tokenExpiry } : {}),
        ...(opts.account !== undefined ? { account: opts.account } : {}),
        now,
      };
      if (opts.perAccount) {
        if (opts.account !== undefined) throw new HelError('HEL_USAGE', '--per-account and --account exclude each other', { hint: 'drop --account to get every account, or --per-account for one' });
        if (!opts.out.includes('{account}')) throw new HelError('HEL_USAGE', `--per-account needs {account} in --out, got ${JSON.stringify(opts.out)}`, { hint: 'e.g. -o evidence-{account}.html' });
        for (const [account, report] of await buildReportsByAccount(options)) {
          const out = opts.out.replaceAll('{account}', account.replace(/[^A-Za-z0-9._-]/g, '_'));
          writeReport(renderReport(report, opts.format), out);
          const t = report.totals;
          process.stderr.write(`report for account ${account} written to ${out}: ${t.audit} audit events, ${t.signin} sign-in attempts, ${t.itemusage} item uses\n`);
        }
        return;
      }
      const report = await buildReport(options);
      writeReport(renderReport(report, opts.format), opts.out);
      if (opts.out !== '-') {
        const t = report.totals;
        process.stderr.write(`report written to ${opts.out}: ${t.audit} audit events, ${t.signin} sign-in attempts, ${t.itemusage} item uses\n`);
      }
    });
}
