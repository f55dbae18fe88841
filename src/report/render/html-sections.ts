import { STREAM_TITLES } from '../event.js';
import type { ReportData } from '../report-data.js';
import { SENSITIVE_ITEM_ACTIONS } from '../analyze/item-usage.js';
import { countTable, h3, para, section, table } from './html-parts.js';
import { permissionsText, plural, shortTime } from './format.js';
import { barChart, dailyVolumeChart } from './svg.js';

export function adminSection(r: ReportData): string {
  const a = r.admin;
  return section(
    'admin',
    `Administrative changes (${a.total})`,
    [
      para('Audit events that change account settings, policies, SSO/MFA, roles, groups, integrations or tokens.'),
      h3('By category'),
      countTable('Category', a.byCategory),
      h3('By actor'),
      countTable('Actor', a.byActor),
      h3('All changes'),
      table(
        ['When (UTC)', 'Category', 'Actor', 'Action', 'Object type', 'Object', 'Detail', 'IP', 'Location'],
        a.changes.map((c) => [shortTime(c.timestamp), c.category, c.actor, c.action, c.objectType, c.objectUuid, c.detail, c.ip, c.location]),
      ),
    ].join('\n'),
  );
}

export function membershipSection(r: ReportData): string {
  const m = r.membership;
  const timelines = m.timelines
    .map(
      (t) =>
        h3(`${t.person}${t.uuid && t.uuid !== t.person ? ` (${t.uuid})` : ''}`) +
        table(
          ['When (UTC)', 'Change', 'Group', 'By'],
          t.changes.map((c) => [shortTime(c.timestamp), c.change, c.group, c.actor]),
        ),
    )
    .join('\n');
  return section(
    'membership',
    `Team membership (${m.total})`,
    [
      countTable('Change', m.counts),
      h3('All membership changes'),
      table(
        ['When (UTC)', 'Change', 'Person', 'Group', 'Role', 'By', 'IP'],
        m.changes.map((c) => [shortTime(c.timestamp), c.change, c.subject, c.group, c.role, c.actor, c.ip]),
      ),
      `<h3>Timeline per person</h3>`,
      timelines || para('None in this period.'),
    ].join('\n'),
  );
}

export function vaultAccessSection(r: ReportData): string {
  const v = r.vaultAccess;
  return section(
    'vault-access',
    `Vault access (${v.total})`,
    [
      para('Grants, revokes and updates of user (uva) and group (gva) vault access. Permissions decode aux_id with the 1Password SDK permission bits; the raw number is always shown.'),
      countTable('Object type and action', v.counts),
      h3(`Vaults whose access changed (${v.vaults.length})`),
      table(
        ['Vault', 'Grants', 'Revokes', 'Updates', 'Other'],
        v.vaults.map((x) => [x.vault, x.grants, x.revokes, x.updates, x.other]),
        { numeric: [1, 2, 3, 4] },
      ),
      h3('All changes'),
      table(
        ['When (UTC)', 'Action', 'Vault', 'Grantee', 'Kind', 'Permissions (aux_id)', 'By', 'IP'],
        v.changes.map((c) => [shortTime(c.timestamp), c.action, c.vault, c.grantee, c.granteeKind, permissionsText(c.permissions), c.actor, c.ip]),
      ),
    ].join('\n'),
  );
}

export function signInSection(r: ReportData): string {
  const s = r.signIns;
  return section(
    'sign-ins',
    `Sign-in attempts (${s.total})`,
    [
      para(`${s.successes} succeeded, ${s.failures} failed, ${s.firewallReportOnly} allowed by a report-only firewall rule.`),
      `<div class="charts">${barChart(s.failuresByCategory, { title: 'Failures by category', color: '#c53030' })}${barChart(s.failuresByCountry, { title: 'Failures by country', color: '#c05621' })}</div>`,
      h3(`Repeated failures (≥5 for one user within 60 minutes): ${s.repeatedFailures.length}`),
      table(
        ['User', 'First', 'Last', 'Failures', 'Most in 60 min'],
        s.repeatedFailures.map((b) => [b.user, shortTime(b.first), shortTime(b.last), b.count, b.peakPerHour]),
        {
          numeric: [3, 4],
          empty: 'No user reached 5 failures within 60 minutes.',
        },
      ),
      h3('Failures by category'),
      countTable('Category', s.failuresByCategory),
      h3('Failures by category and type'),
      countTable('Category / type', s.failuresByType),
      h3('Failures by user'),
      countTable('User', s.failuresByUser),
      h3('Failures by country'),
      countTable('Country', s.failuresByCountry),
      h3(`Firewall blocks (${s.firewallBlocks.total})`),
      countTable('Rule (details.value)', s.firewallBlocks.byRule),
      countTable('Type', s.firewallBlocks.byType),
    ].join('\n'),
  );
}

export function itemUsageSection(r: ReportData): string {
  const u = r.itemUsage;
  const actions = [...new Set([...SENSITIVE_ITEM_ACTIONS, ...u.byAction.map((a) => a.key)])];
  const usageRows = (rows: typeof u.byUser) => rows.map((x) => [x.key, x.total, ...actions.map((a) => x.byAction[a] ?? 0)]);
  const numeric = [1, ...actions.map((_, i) => i + 2)];
  return section(
    'item-usage',
    `Item usage in shared vaults (${u.total})`,
    [
      barChart(u.byAction, { title: 'Uses by action', color: '#2f855a' }),
      h3(`Unusual volume: ${u.unusual.length}`),
      para(`Rule: ${u.rule}.`),
      table(
        ['Day', 'User', 'Uses', 'Median per day'],
        u.unusual.map((x) => [x.day, x.user, x.count, x.medianDaily]),
        { numeric: [2, 3], empty: 'No day matched the rule.' },
      ),
      h3('By user'),
      table(['User', 'Total', ...actions], usageRows(u.byUser), { numeric }),
      h3('By vault'),
      table(['Vault', 'Total', ...actions], usageRows(u.byVault), { numeric }),
    ].join('\n'),
  );
}

export function coverageSection(r: ReportData): string {
  const c = r.coverage;
  const gaps = c.streams.flatMap((s) =>
    s.gaps.map((g) => [STREAM_TITLES[s.stream], shortTime(g.from), shortTime(g.to), g.hours, g.edge === 'start' ? 'before first event' : g.edge === 'end' ? 'after last event' : '']),
  );
  const inputs = r.inputs;
  const dup = inputs.duplicates.audit + inputs.duplicates.signin + inputs.duplicates.itemusage;
  const token = r.tokenExpiry
    ? para(
        `Events API token expires ${shortTime(r.tokenExpiry.expiresAt)} (${r.tokenExpiry.phrase.endsWith('ago') ? `expired ${r.tokenExpiry.phrase}` : r.tokenExpiry.phrase})${r.tokenExpiry.expiringSoon ? ': rotate it now.' : '.'}`,
      )
    : para('Token expiry not given (pass --token-expiry).');
  return section(
    'coverage',
    'Coverage',
    [
      dailyVolumeChart(c.streams.map((s) => ({ name: STREAM_TITLES[s.stream], perDay: s.perDay }))),
      table(
        ['Stream', 'Events', 'First event', 'Last event', 'Lag (h)', `Late > ${c.lateMinutes} min`, 'Latest by (h)', `Gaps > ${c.gapHours} h`],
        c.streams.map((s) => [STREAM_TITLES[s.stream], s.count, shortTime(s.first), shortTime(s.last), s.lagHours ?? '—', s.late.count, s.late.maxHours, s.gaps.length]),
        { numeric: [1, 4, 5, 6, 7] },
      ),
      para(
        `Lag: hours from the newest event to when this report was made. Late: events delivered after a newer event of their stream by more than ${c.lateMinutes} minutes (item usage arrives when a client syncs, up to a day late); Hel's saved cursor still delivers them.`,
      ),
      h3(`Gaps longer than ${c.gapHours} hours`),
      table(['Stream', 'From', 'To', 'Hours', 'Note'], gaps, { numeric: [3], empty: `No gap longer than ${c.gapHours} hours: collection was continuous.` }),
      token,
      h3('Inputs'),
      table(
        ['File', 'Lines', 'Events used'],
        inputs.files.map((f) => [f.path, f.lines, f.events]),
        { numeric: [1, 2] },
      ),
      para(
        `${plural(dup, 'duplicate event')} (same uuid) counted once; ${plural(inputs.outsideWindow, 'event')} outside the period; ` +
          `${plural(inputs.unrecognised.count, 'line')} of an unrecognised stream${inputs.unrecognised.samples.length ? ` (e.g. ${inputs.unrecognised.samples.join(', ')})` : ''}; ` +
          `${plural(inputs.withoutTimestamp.count, 'event')} without a timestamp${inputs.withoutTimestamp.samples.length ? ` (e.g. ${inputs.withoutTimestamp.samples.join(', ')})` : ''}.`,
      ),
    ].join('\n'),
  );
}

export function unknownSection(r: ReportData): string {
  return section(
    'unknown',
    `Unknown values (${r.unknownValues.length}) and other audit events (${r.otherAudit.total})`,
    [
      para('The Events API enums are open: values not in the documented lists are shown here, never dropped.'),
      table(
        ['Field', 'Value', 'Count', 'First seen'],
        r.unknownValues.map((u) => [u.kind, u.value, u.count, u.firstSeen]),
        { numeric: [2], empty: 'Every value is a documented one.' },
      ),
      h3('Other audit events (not administrative, membership or vault access)'),
      countTable('Object type and action', r.otherAudit.counts),
    ].join('\n'),
  );
}
