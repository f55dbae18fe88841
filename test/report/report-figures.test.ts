import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import type { ReportData } from '../../src/report/report-data.js';
import { ADMIN, ALICE, BOB, CAROL, GROUP, NEWBIE, T0, VAULT_A, VAULT_B, VAULT_C, XSS_NAME, writeFixture } from '../helpers/report-fixtures.js';

const label = (u: { name: string; email: string }) => `${u.name} <${u.email}>`;
const counts = (rows: { key: string; count: number }[]) => Object.fromEntries(rows.map((r) => [r.key, r.count]));

async function jsonReport(t: { after(fn: () => void): void }, extra: string[] = []): Promise<ReportData> {
  const dir = tempDir(t);
  const inputs = writeFixture(dir);
  const out = join(dir, 'report.json');
  const r = await runCli(['report', '--input', ...inputs, '--format', 'json', '--out', out, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as ReportData;
}

void test('report figures match the planted events exactly', async (t) => {
  const report = await jsonReport(t, ['--token-expiry', '2026-03-10T00:00:00Z']);
  assert.deepEqual(report.totals, { audit: 39, signin: 36, itemusage: 223 });

  // Administrative changes
  assert.equal(report.admin.total, 6);
  assert.deepEqual(counts(report.admin.byCategory), { 'MFA and security policy': 3, 'Single sign-on': 1, 'Integrations and tokens': 1, 'Groups and roles': 1 });
  assert.deepEqual(counts(report.admin.byActor), { [label(ADMIN)]: 5, [`${XSS_NAME} <${ADMIN.email}>`]: 1 });
  assert.deepEqual(
    report.admin.changes.map((c) => c.action),
    ['updatfw', 'updatfw', 'disblmfa', 'enblsso', 'create', 'upguest'],
  );
  assert.ok(report.admin.changes.every((c) => c.ip !== undefined && c.where.includes('audit.ndjson:')));

  // Team membership
  assert.equal(report.membership.total, 16);
  assert.deepEqual(counts(report.membership.counts), { invited: 2, joined: 3, confirmed: 2, suspended: 1, reactivated: 1, deleted: 1, 'joined group': 4, 'left group': 2 });
  const newbie = report.membership.timelines.find((p) => p.uuid === NEWBIE.uuid);
  assert.deepEqual(
    newbie?.changes.map((c) => c.change),
    ['invited', 'joined', 'confirmed', 'suspended', 'reactivated', 'joined group'],
  );
  assert.equal(newbie?.changes[5]?.group, GROUP);
  assert.equal(report.membership.timelines.length, 4);

  // Vault access
  assert.equal(report.vaultAccess.total, 6);
  assert.deepEqual(counts(report.vaultAccess.counts), { 'gva grant': 1, 'gva update': 1, 'uva grant': 3, 'uva revoke': 1 });
  assert.deepEqual(
    report.vaultAccess.vaults.map((v) => [v.vault, v.grants, v.revokes, v.updates]).sort(),
    [
      [VAULT_A, 3, 1, 0],
      [VAULT_B, 1, 0, 1],
    ].sort(),
  );
  const bob = report.vaultAccess.changes.find((c) => c.grantee === label(BOB));
  assert.deepEqual(bob?.permissions, { value: 48, hex: '0x30', names: ['reveal_item_password', 'read_items'] });
  const alice = report.vaultAccess.changes.find((c) => c.grantee === label(ALICE));
  assert.equal(alice?.permissions?.hex, '0xffdf2');
  assert.equal(alice?.permissions?.unknownBits, '0xff800');
  const update = report.vaultAccess.changes.find((c) => c.action === 'update');
  assert.deepEqual(update?.permissions?.names, ['manage_vault', 'read_items', 'export_items']);
  assert.equal(update?.granteeKind, 'group');

  // Sign-in attempts
  const s = report.signIns;
  assert.deepEqual([s.total, s.successes, s.failures, s.firewallReportOnly], [36, 20, 15, 1]);
  assert.deepEqual(counts(s.failuresByCategory), { credentials_failed: 7, mfa_failed: 4, firewall_failed: 3, quantum_failed: 1 });
  assert.deepEqual(counts(s.failuresByType), { 'credentials_failed / password_secret_bad': 7, 'mfa_failed / totp_bad': 4, 'firewall_failed / country_blocked': 3, 'quantum_failed / spooky': 1 });
  assert.deepEqual(counts(s.failuresByUser), { [label(ALICE)]: 7, [label(BOB)]: 4, [label(CAROL)]: 4 });
  assert.deepEqual(counts(s.failuresByCountry), { DE: 7, FR: 4, RU: 3, US: 1 });
  assert.deepEqual(s.firewallBlocks, { total: 3, byRule: [{ key: 'RU', count: 3 }], byType: [{ key: 'country_blocked', count: 3 }] });
  assert.deepEqual(s.repeatedFailures, [{ user: label(ALICE), first: '2026-03-02T10:00:00.000Z', last: '2026-03-02T10:30:00.000Z', count: 6, peakPerHour: 6 }]);

  // Item usage
  const u = report.itemUsage;
  assert.equal(u.total, 223);
  assert.deepEqual(counts(u.byAction), { 'secure-copy': 175, reveal: 30, fill: 14, export: 3, teleport: 1 });
  assert.deepEqual(
    u.byUser.map((r) => [r.key, r.total, r.byAction]),
    [
      [label(BOB), 175, { 'secure-copy': 175 }],
      [label(ALICE), 44, { fill: 14, reveal: 30 }],
      [label(CAROL), 4, { export: 3, teleport: 1 }],
    ],
  );
  assert.deepEqual(
    u.byVault.map((r) => [r.key, r.total]),
    [
      [VAULT_A, 189],
      [VAULT_B, 30],
      [VAULT_C, 4],
    ],
  );
  assert.deepEqual(u.unusual, [{ user: label(ALICE), day: '2026-03-05', count: 32, medianDaily: 2 }]);

  // Coverage: one audit gap (last planted event on day 1 to the lone event on day 3), none elsewhere.
  const [audit, signin, usage] = report.coverage.streams;
  assert.equal(report.coverage.gapHours, 24);
  assert.equal(audit?.count, 39);
  assert.equal(audit?.first, new Date(T0 + 10 * 60_000).toISOString());
  assert.equal(audit?.last, '2026-03-03T12:00:00.000Z');
  assert.deepEqual(audit?.gaps, [{ from: new Date(T0 + 38 * 10 * 60_000).toISOString(), to: '2026-03-03T12:00:00.000Z', hours: 53.7 }]);
  assert.deepEqual([signin?.count, signin?.gaps.length, usage?.count, usage?.gaps.length], [36, 0, 223, 0]);
  assert.equal(usage?.perDay.length, 7);
  assert.deepEqual(report.tokenExpiry && { at: report.tokenExpiry.expiresAt }, { at: '2026-03-10T00:00:00.000Z' });

  // Unknown values are listed with counts, never dropped.
  assert.deepEqual(
    report.unknownValues.map((x) => [x.kind, x.value, x.count]),
    [
      ['audit action', 'confirm', 2],
      ['audit action', 'invite', 2],
      ['audit action', 'frobnicate', 1],
      ['audit object_type', 'widget', 1],
      ['item usage action', 'teleport', 1],
      ['sign-in category', 'quantum_failed', 1],
      ['sign-in type', 'spooky', 1],
    ],
  );
  assert.deepEqual(report.otherAudit, {
    total: 11,
    counts: [
      { key: 'item share', count: 10 },
      { key: 'widget frobnicate', count: 1 },
    ],
  });
  assert.equal(report.inputs.unrecognised.count, 0);
});

void test('--since/--until keep only events in the window and report edge gaps', async (t) => {
  const report = await jsonReport(t, ['--since', '2026-03-03', '--until', '2026-03-05']);
  assert.deepEqual(report.period.since, '2026-03-03T00:00:00.000Z');
  // Sign-ins on 03-03 and 03-04: 6 successes, BOB's 4 MFA failures, CAROL's 3 firewall blocks.
  assert.deepEqual(report.totals, { audit: 1, signin: 13, itemusage: 58 });
  assert.equal(report.admin.total, 0);
  assert.equal(report.membership.total, 0);
  assert.deepEqual(report.otherAudit.counts, [{ key: 'widget frobnicate', count: 1 }]);
  assert.equal(report.itemUsage.total, 58);
  assert.deepEqual(report.itemUsage.unusual, []);
  assert.equal(report.signIns.repeatedFailures.length, 0);
  assert.equal(report.inputs.outsideWindow, 39 - 1 + 36 - 13 + 223 - 58);
  const audit = report.coverage.streams[0];
  assert.deepEqual(audit?.gaps, [{ from: '2026-03-03T12:00:00.000Z', to: '2026-03-05T00:00:00.000Z', hours: 36, edge: 'end' }]);
});
