import { EXPIRY_WARNING_DAYS, daysPhrase } from '../../secrets/expiry.js';
import { isoOf, type ReportEvent } from '../event.js';
import { readReportEvents, type InputStats, type TimeWindow } from '../read.js';
import type { ReportData, TokenExpiry } from '../report-data.js';
import { adminAnalyzer } from './admin.js';
import type { Analyzer } from './common.js';
import { coverageAnalyzer } from './coverage.js';
import { itemUsageAnalyzer } from './item-usage.js';
import { membershipAnalyzer } from './membership.js';
import { signInAnalyzer } from './sign-ins.js';
import { otherAuditAnalyzer, unknownValuesAnalyzer } from './unknown.js';
import { vaultAccessAnalyzer } from './vault-access.js';

export interface ReportOptions {
  inputs: string[];
  window: TimeWindow;
  gapHours: number;
  /** Epoch ms of the Events API token's expiry, when known. */
  tokenExpiry?: number;
  now: number;
  /** Only the events of this account (the envelope's `meta.account`). */
  account?: string;
}

/** Reads the inputs once, feeding every event to every section, and assembles the report. */
export async function buildReport(options: ReportOptions): Promise<ReportData> {
  const builder = reportBuilder(options);
  const inputs = await readReportEvents(options.inputs, options.window, (event) => {
    if (options.account === undefined || event.account === options.account) builder.add(event);
  });
  return builder.result(inputs);
}

/**
 * One report per account (the envelope's `meta.account`, written by an `accounts:` entry), from a
 * single read of the inputs. Events without an account are reported under "(none)".
 */
export async function buildReportsByAccount(options: ReportOptions): Promise<Map<string, ReportData>> {
  const builders = new Map<string, ReturnType<typeof reportBuilder>>();
  const inputs = await readReportEvents(options.inputs, options.window, (event) => {
    const account = event.account ?? NO_ACCOUNT;
    let builder = builders.get(account);
    if (!builder) builders.set(account, (builder = reportBuilder(options, account)));
    builder.add(event);
  });
  return new Map([...builders].sort(([a], [b]) => a.localeCompare(b)).map(([account, builder]) => [account, builder.result(inputs)]));
}

const NO_ACCOUNT = '(none)';

function reportBuilder(options: ReportOptions, account = options.account) {
  const admin = adminAnalyzer();
  const membership = membershipAnalyzer();
  const vaultAccess = vaultAccessAnalyzer();
  const signIns = signInAnalyzer();
  const itemUsage = itemUsageAnalyzer();
  const coverage = coverageAnalyzer(options.gapHours, options.window, options.now);
  const unknownValues = unknownValuesAnalyzer();
  const otherAudit = otherAuditAnalyzer();
  const all: Analyzer<unknown>[] = [admin, membership, vaultAccess, signIns, itemUsage, coverage, unknownValues, otherAudit];
  const totals = { audit: 0, signin: 0, itemusage: 0 };
  let firstEvent = Infinity;
  let lastEvent = -Infinity;
  return {
    add(event: ReportEvent): void {
      totals[event.stream]++;
      firstEvent = Math.min(firstEvent, event.time);
      lastEvent = Math.max(lastEvent, event.time);
      for (const analyzer of all) analyzer.add(event);
    },
    result(inputs: InputStats): ReportData {
      const report: ReportData = {
        title: account === undefined ? '1Password access and audit evidence' : `1Password access and audit evidence: account ${account}`,
        generatedAt: isoOf(options.now),
        period: {
          ...(options.window.since !== undefined ? { since: isoOf(options.window.since) } : {}),
          ...(options.window.until !== undefined ? { until: isoOf(options.window.until) } : {}),
          ...(Number.isFinite(firstEvent) ? { firstEvent: isoOf(firstEvent), lastEvent: isoOf(lastEvent) } : {}),
        },
        inputs,
        totals,
        admin: admin.result(),
        membership: membership.result(),
        vaultAccess: vaultAccess.result(),
        signIns: signIns.result(),
        itemUsage: itemUsage.result(),
        coverage: coverage.result(),
        unknownValues: unknownValues.result(),
        otherAudit: otherAudit.result(),
      };
      if (account !== undefined) report.account = account;
      if (options.tokenExpiry !== undefined) report.tokenExpiry = tokenExpiryOf(options.tokenExpiry, options.now);
      return report;
    },
  };
}

function tokenExpiryOf(expiresAt: number, now: number): TokenExpiry {
  const days = (expiresAt - now) / 86_400_000;
  return { expiresAt: isoOf(expiresAt), daysLeft: Math.trunc(days), phrase: daysPhrase(days), expiringSoon: days < EXPIRY_WARNING_DAYS };
}
