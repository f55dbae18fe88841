import { EXPIRY_WARNING_DAYS, daysPhrase } from '../../secrets/expiry.js';
import { isoOf, type ReportEvent } from '../event.js';
import { readReportEvents, type TimeWindow } from '../read.js';
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
}

/** Reads the inputs once, feeding every event to every section, and assembles the report. */
export async function buildReport(options: ReportOptions): Promise<ReportData> {
  const admin = adminAnalyzer();
  const membership = membershipAnalyzer();
  const vaultAccess = vaultAccessAnalyzer();
  const signIns = signInAnalyzer();
  const itemUsage = itemUsageAnalyzer();
  const coverage = coverageAnalyzer(options.gapHours, options.window);
  const unknownValues = unknownValuesAnalyzer();
  const otherAudit = otherAuditAnalyzer();
  const all: Analyzer<unknown>[] = [admin, membership, vaultAccess, signIns, itemUsage, coverage, unknownValues, otherAudit];
  const totals = { audit: 0, signin: 0, itemusage: 0 };
  let firstEvent = Infinity;
  let lastEvent = -Infinity;

  const inputs = await readReportEvents(options.inputs, options.window, (event: ReportEvent) => {
    totals[event.stream]++;
    firstEvent = Math.min(firstEvent, event.time);
    lastEvent = Math.max(lastEvent, event.time);
    for (const analyzer of all) analyzer.add(event);
  });

  const report: ReportData = {
    title: '1Password access and audit evidence',
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
  if (options.tokenExpiry !== undefined) report.tokenExpiry = tokenExpiryOf(options.tokenExpiry, options.now);
  return report;
}

function tokenExpiryOf(expiresAt: number, now: number): TokenExpiry {
  const days = (expiresAt - now) / 86_400_000;
  return { expiresAt: isoOf(expiresAt), daysLeft: Math.trunc(days), phrase: daysPhrase(days), expiringSoon: days < EXPIRY_WARNING_DAYS };
}
