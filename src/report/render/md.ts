import { STREAM_TITLES } from '../event.js';
import type { ReportData } from '../report-data.js';
import { SENSITIVE_ITEM_ACTIONS } from '../analyze/item-usage.js';
import { escapeMarkdownCell } from './escape.js';
import { keyFindings, periodText, permissionsText, plural, shortTime } from './format.js';

type Cell = string | number | undefined;

function mdTable(headers: string[], rows: Cell[][], empty = '_None in this period._'): string {
  if (rows.length === 0) return empty;
  const line = (cells: Cell[]) => `| ${cells.map((c) => escapeMarkdownCell(c ?? '-')).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

const counts = (title: string, rows: { key: string; count: number }[]) =>
  mdTable(
    [title, 'Count'],
    rows.map((r) => [r.key, r.count]),
  );

/** The same content as the HTML report, as Markdown for tickets (tables escaped cell by cell). */
export function renderMarkdown(r: ReportData): string {
  const out: string[] = [];
  out.push(`# ${r.title}`, '', `Period: ${periodText(r)}. Generated ${shortTime(r.generatedAt)} by hel report.`, '', '## Summary', '');
  for (const f of keyFindings(r)) out.push(`- ${f.flag ? '**⚠ ' : ''}${f.label}: ${f.value}${f.flag ? '**' : ''}`);
  out.push(
    '',
    mdTable(
      ['Stream', 'Events', 'First event', 'Last event'],
      r.coverage.streams.map((s) => [STREAM_TITLES[s.stream], s.count, shortTime(s.first), shortTime(s.last)]),
    ),
  );

  out.push('', `## Administrative changes (${r.admin.total})`, '', counts('Category', r.admin.byCategory), '');
  out.push(
    mdTable(
      ['When (UTC)', 'Category', 'Actor', 'Action', 'Object type', 'Object', 'Detail', 'IP', 'Location'],
      r.admin.changes.map((c) => [shortTime(c.timestamp), c.category, c.actor, c.action, c.objectType, c.objectUuid, c.detail, c.ip, c.location]),
    ),
  );

  out.push('', `## Team membership (${r.membership.total})`, '', counts('Change', r.membership.counts), '', '### Timeline per person');
  for (const t of r.membership.timelines) {
    out.push(
      '',
      `**${escapeMarkdownCell(t.person)}**`,
      '',
      mdTable(
        ['When (UTC)', 'Change', 'Group', 'By'],
        t.changes.map((c) => [shortTime(c.timestamp), c.change, c.group, c.actor]),
      ),
    );
  }

  const v = r.vaultAccess;
  out.push('', `## Vault access (${v.total})`, '', counts('Object type and action', v.counts), '', `### Vaults whose access changed (${v.vaults.length})`, '');
  out.push(
    mdTable(
      ['Vault', 'Grants', 'Revokes', 'Updates', 'Other'],
      v.vaults.map((x) => [x.vault, x.grants, x.revokes, x.updates, x.other]),
    ),
    '',
  );
  out.push(
    mdTable(
      ['When (UTC)', 'Action', 'Vault', 'Grantee', 'Kind', 'Permissions (aux_id)', 'By'],
      v.changes.map((c) => [shortTime(c.timestamp), c.action, c.vault, c.grantee, c.granteeKind, permissionsText(c.permissions), c.actor]),
    ),
  );

  const s = r.signIns;
  out.push('', `## Sign-in attempts (${s.total})`, '', `${s.successes} succeeded, ${s.failures} failed, ${s.firewallReportOnly} allowed by a report-only firewall rule.`, '');
  out.push(`### Repeated failures (≥5 for one user within 60 minutes): ${s.repeatedFailures.length}`, '');
  out.push(
    mdTable(
      ['User', 'First', 'Last', 'Failures', 'Most in 60 min'],
      s.repeatedFailures.map((b) => [b.user, shortTime(b.first), shortTime(b.last), b.count, b.peakPerHour]),
      '_No user reached 5 failures within 60 minutes._',
    ),
  );
  out.push('', '### Failures by category and type', '', counts('Category / type', s.failuresByType), '', '### Failures by user', '', counts('User', s.failuresByUser));
  out.push(
    '',
    '### Failures by country',
    '',
    counts('Country', s.failuresByCountry),
    '',
    `### Firewall blocks (${s.firewallBlocks.total})`,
    '',
    counts('Rule (details.value)', s.firewallBlocks.byRule),
  );

  const u = r.itemUsage;
  const actions = [...new Set([...SENSITIVE_ITEM_ACTIONS, ...u.byAction.map((a) => a.key)])];
  const usage = (rows: typeof u.byUser) => rows.map((x) => [x.key, x.total, ...actions.map((a) => x.byAction[a] ?? 0)]);
  out.push('', `## Item usage in shared vaults (${u.total})`, '', counts('Action', u.byAction), '', `### Unusual volume: ${u.unusual.length}`, '', `Rule: ${u.rule}.`, '');
  out.push(
    mdTable(
      ['Day', 'User', 'Uses', 'Median per day'],
      u.unusual.map((x) => [x.day, x.user, x.count, x.medianDaily]),
      '_No day matched the rule._',
    ),
  );
  out.push('', '### By user', '', mdTable(['User', 'Total', ...actions], usage(u.byUser)), '', '### By vault', '', mdTable(['Vault', 'Total', ...actions], usage(u.byVault)));

  const c = r.coverage;
  const gaps = c.streams.flatMap((st) => st.gaps.map((g) => [STREAM_TITLES[st.stream], shortTime(g.from), shortTime(g.to), g.hours, g.edge ?? '']));
  out.push('', '## Coverage', '');
  out.push(
    mdTable(
      ['Stream', 'Events', 'First event', 'Last event', 'Lag (h)', `Late > ${c.lateMinutes} min`, 'Latest by (h)', `Gaps > ${c.gapHours} h`],
      c.streams.map((st) => [STREAM_TITLES[st.stream], st.count, shortTime(st.first), shortTime(st.last), st.lagHours ?? '—', st.late.count, st.late.maxHours, st.gaps.length]),
    ),
    '',
  );
  out.push(mdTable(['Stream', 'From', 'To', 'Hours', 'Edge'], gaps, `_No gap longer than ${c.gapHours} hours: collection was continuous._`));
  if (r.tokenExpiry)
    out.push(
      '',
      `Events API token expires ${shortTime(r.tokenExpiry.expiresAt)} (${r.tokenExpiry.phrase.endsWith('ago') ? `expired ${r.tokenExpiry.phrase}` : r.tokenExpiry.phrase})${r.tokenExpiry.expiringSoon ? ' — **rotate it now**' : ''}.`,
    );
  const dup = r.inputs.duplicates.audit + r.inputs.duplicates.signin + r.inputs.duplicates.itemusage;
  out.push(
    '',
    `Inputs: ${r.inputs.files.map((f) => `${f.path} (${f.lines} lines, ${f.events} events)`).join(', ')}; ${plural(dup, 'duplicate')} counted once; ${plural(r.inputs.outsideWindow, 'event')} outside the period; ${plural(r.inputs.unrecognised.count, 'unrecognised line')}.`,
  );

  out.push(
    '',
    `## Unknown values (${r.unknownValues.length})`,
    '',
    mdTable(
      ['Field', 'Value', 'Count', 'First seen'],
      r.unknownValues.map((x) => [x.kind, x.value, x.count, x.firstSeen]),
      '_Every value is a documented one._',
    ),
  );
  out.push('', `### Other audit events (${r.otherAudit.total})`, '', counts('Object type and action', r.otherAudit.counts), '');
  return out.join('\n');
}
