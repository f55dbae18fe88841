import type { ReportData } from '../report-data.js';

/** "2026-03-02 11:54:19Z": seconds are enough to read; the JSON keeps the full timestamp. */
export function shortTime(timestamp: string | undefined): string {
  if (timestamp === undefined) return '-';
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

export function periodText(report: ReportData): string {
  const p = report.period;
  const from = p.since ?? p.firstEvent;
  const to = p.until ?? p.lastEvent;
  if (from === undefined || to === undefined) return 'no events';
  return `${shortTime(from)} to ${shortTime(to)}${p.since === undefined && p.until === undefined ? ' (first to last event)' : ''}`;
}

export interface Finding {
  label: string;
  value: string;
  /** Needs a reviewer's attention. */
  flag: boolean;
}

/** The headline figures of the summary page, shared by the HTML and Markdown renderers. */
export function keyFindings(report: ReportData): Finding[] {
  const m = new Map(report.membership.counts.map((c) => [c.key, c.count]));
  const gaps = report.coverage.streams.reduce((n, s) => n + s.gaps.length, 0);
  const findings: Finding[] = [
    { label: 'Administrative changes', value: String(report.admin.total), flag: false },
    {
      label: 'Team membership changes',
      value: `${report.membership.total} (invited ${m.get('invited') ?? 0}, joined ${m.get('joined') ?? 0}, confirmed ${m.get('confirmed') ?? 0}, suspended ${m.get('suspended') ?? 0}, reactivated ${m.get('reactivated') ?? 0}, deleted ${m.get('deleted') ?? 0}; group joins ${m.get('joined group') ?? 0}, leaves ${m.get('left group') ?? 0})`,
      flag: false,
    },
    { label: 'Vault access changes', value: `${report.vaultAccess.total} in ${plural(report.vaultAccess.vaults.length, 'vault')}`, flag: false },
    {
      label: 'Sign-in attempts',
      value: `${report.signIns.total} (${report.signIns.successes} succeeded, ${report.signIns.failures} failed, ${report.signIns.firewallBlocks.total} blocked by the firewall)`,
      flag: false,
    },
    { label: 'Repeated sign-in failures (≥5 in 60 min)', value: String(report.signIns.repeatedFailures.length), flag: report.signIns.repeatedFailures.length > 0 },
    { label: 'Item uses in shared vaults', value: String(report.itemUsage.total), flag: false },
    { label: 'Days of unusual item usage', value: String(report.itemUsage.unusual.length), flag: report.itemUsage.unusual.length > 0 },
    { label: `Collection gaps over ${report.coverage.gapHours} h`, value: String(gaps), flag: gaps > 0 },
    { label: 'Unknown enum values', value: String(report.unknownValues.length), flag: report.unknownValues.length > 0 },
  ];
  if (report.tokenExpiry !== undefined) {
    const t = report.tokenExpiry;
    findings.push({
      label: 'Events API token expiry',
      value: `${shortTime(t.expiresAt)} (${t.phrase.endsWith('ago') ? `expired ${t.phrase}` : t.phrase})`,
      flag: t.expiringSoon,
    });
  }
  return findings;
}

export function permissionsText(p: { value: number; hex: string; names: string[]; unknownBits?: string } | undefined): string {
  if (p === undefined) return '-';
  const names = p.names.length > 0 ? p.names.join(', ') : 'none';
  return `${p.value} (${p.hex}): ${names}${p.unknownBits ? `; other bits ${p.unknownBits}` : ''}`;
}
