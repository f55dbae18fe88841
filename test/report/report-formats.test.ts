import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { XSS_NAME, writeFixture } from '../helpers/report-fixtures.js';

void test('the HTML report is one self-contained, escaped file', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'report.html');
  const r = await runCli(['report', '--input', ...writeFixture(dir), '--format', 'html', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /report written to .*39 audit events, 36 sign-in attempts, 223 item uses/);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(!html.includes(XSS_NAME), 'event text must be escaped');
  assert.ok(!/<script|<img|<iframe|<object/i.test(html), 'no active content');
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.ok(!/(src|href)=["']?(https?:)?\/\//i.test(html), 'no external assets');
  assert.ok(!/@import|url\(/i.test(html), 'no external CSS');
  assert.match(html, /<style>[\s\S]*@media print[\s\S]*break-before: page/);
  assert.match(html, /<svg class="chart"/);
  for (const title of ['Administrative changes (6)', 'Team membership (16)', 'Vault access (6)', 'Sign-in attempts (36)', 'Item usage in shared vaults (223)', 'Coverage', 'Unknown values (7)']) {
    assert.ok(html.includes(`<h2>${title}`), `missing section ${title}`);
  }
  assert.ok(html.includes('1048050 (0xffdf2): manage_vault, reveal_item_password'));
  assert.ok(html.includes('frobnicate'));
});

void test('the Markdown report carries the same figures', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'report.md');
  const r = await runCli(['report', '--input', ...writeFixture(dir), '--format', 'md', '--out', out, '--gap-hours', '48']);
  assert.equal(r.code, 0, r.stderr);
  const md = readFileSync(out, 'utf8');
  assert.match(md, /^# 1Password access and audit evidence/);
  assert.match(md, /^- Administrative changes: 6$/m);
  assert.match(md, /^- Team membership changes: 16 \(invited 2, joined 3, confirmed 2, suspended 1, reactivated 1, deleted 1; group joins 4, leaves 2\)$/m);
  assert.match(md, /^- Sign-in attempts: 36 \(20 succeeded, 15 failed, 3 blocked by the firewall\)$/m);
  assert.match(md, /^- \*\*⚠ Repeated sign-in failures \(≥5 in 60 min\): 1\*\*$/m);
  assert.match(md, /^- \*\*⚠ Days of unusual item usage: 1\*\*$/m);
  assert.match(md, /^- \*\*⚠ Collection gaps over 48 h: 1\*\*$/m);
  assert.match(md, /^\| audit action \| frobnicate \| 1 \| .*audit\.ndjson:\d+ \|$/m);
  assert.match(md, /^\| sign-in category \| quantum\\_failed \| 1 \|/m);
  assert.ok(!md.includes('<script>'), 'HTML in event text is neutralised in Markdown too');
});

void test('a malformed line is an error naming file:line (exit 2)', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad.ndjson');
  writeFileSync(bad, '{"action":"join","object_type":"gm","timestamp":"2026-03-01T00:00:00Z"}\n\n{"truncated":\n');
  const r = await runCli(['report', '--input', bad, '--format', 'json', '--out', join(dir, 'r.json')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^hel: .*bad\.ndjson:3: malformed NDJSON line: not valid JSON/);
  const array = join(dir, 'array.ndjson');
  writeFileSync(array, '[1,2]\n');
  const r2 = await runCli(['report', '--input', array, '--format', 'json', '--out', join(dir, 'r.json')]);
  assert.equal(r2.code, 2, r2.stderr);
  assert.match(r2.stderr, /array\.ndjson:1: malformed NDJSON line: expected a JSON object/);
  const missing = await runCli(['report', '--input', join(dir, 'nope.ndjson'), '--format', 'json', '--out', join(dir, 'r.json')]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /cannot read report input .*nope\.ndjson \(ENOENT\)/);
});

void test('duplicates count once; unrecognised lines and missing timestamps are listed', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'mixed.ndjson');
  const event = { uuid: 'E1', timestamp: '2026-03-01T00:00:00Z', action: 'suspend', object_type: 'user', object_uuid: 'U1' };
  writeFileSync(
    file,
    [
      JSON.stringify({ ts: 'x', source: 'a', endpoint: '/api/v1/auditevents', event, meta: {} }),
      JSON.stringify({ ...event, source: 'raw copy' }),
      JSON.stringify({ hello: 'world' }),
      JSON.stringify({ action: 'join', object_type: 'user', uuid: 'E2' }),
    ].join('\n') + '\n',
  );
  const out = join(dir, 'r.json');
  const r = await runCli(['report', '--input', file, '--format', 'json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    totals: { audit: number };
    membership: { counts: { key: string; count: number }[] };
    inputs: { duplicates: { audit: number }; unrecognised: { count: number; samples: string[] }; withoutTimestamp: { count: number; samples: string[] } };
  };
  assert.equal(report.totals.audit, 1);
  assert.equal(report.membership.counts.find((c) => c.key === 'suspended')?.count, 1);
  assert.equal(report.inputs.duplicates.audit, 1);
  assert.deepEqual(report.inputs.unrecognised, { count: 1, samples: [`${file}:3`] });
  assert.deepEqual(report.inputs.withoutTimestamp, { count: 1, samples: [`${file}:4`] });
});

void test('bad options are usage errors', async (t) => {
  const dir = tempDir(t);
  const [input] = writeFixture(dir);
  const since = await runCli(['report', '--input', input!, '--out', join(dir, 'r.html'), '--since', 'yesterday-ish']);
  assert.equal(since.code, 2);
  assert.match(since.stderr, /--since: cannot read "yesterday-ish" as a time/);
  const gap = await runCli(['report', '--input', input!, '--out', join(dir, 'r.html'), '--gap-hours', '0']);
  assert.equal(gap.code, 2);
  const format = await runCli(['report', '--input', input!, '--out', join(dir, 'r.html'), '--format', 'pdf']);
  assert.equal(format.code, 2);
});
