import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport } from '../../src/report/analyze/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Issue 18 item 5: the compliance report shows how fresh each stream's evidence is (lag) and which
// events arrived late (item usage syncs from clients, up to a day after it happened).

const NOW = Date.parse('2027-02-01T12:00:00Z');

function envelope(endpoint: string, event: Record<string, unknown>): string {
  return JSON.stringify({ ts: event.timestamp, source: 'acme', endpoint, event, meta: {} });
}

function writeInput(dir: string): string {
  const usage = (uuid: string, timestamp: string) => envelope('/api/v2/itemusages', { uuid, timestamp, item_uuid: 'i', vault_uuid: 'v', action: 'fill', user: { uuid: 'U' } });
  const audit = (uuid: string, timestamp: string) => envelope('/api/v2/auditevents', { uuid, timestamp, action: 'join', object_type: 'gm', actor_uuid: 'A' });
  const lines = [
    audit('A1', '2027-02-01T06:00:00Z'),
    audit('A2', '2027-02-01T09:00:00Z'),
    usage('U1', '2027-02-01T08:00:00Z'),
    usage('U2', '2027-02-01T10:00:00Z'),
    usage('U3', '2027-02-01T09:55:00Z'), // 5 minutes behind: ordinary jitter, not late
    usage('U4', '2027-01-31T16:00:00Z'), // 18 hours behind U2: a client that synced a day late
    usage('U5', '2027-02-01T09:00:00Z'), // 1 hour behind
  ];
  const path = join(dir, 'events.ndjson');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

void test('coverage: lag per stream from the report time, and late arrivals in delivery order', async (t) => {
  const input = writeInput(tempDir(t));
  const report = await buildReport({ inputs: [input], window: {}, gapHours: 24, now: NOW });
  const byStream = new Map(report.coverage.streams.map((s) => [s.stream, s]));
  assert.equal(report.coverage.lateMinutes, 10);
  assert.equal(byStream.get('audit')?.lagHours, 3);
  assert.deepEqual(byStream.get('audit')?.late, { count: 0, maxHours: 0 });
  assert.equal(byStream.get('itemusage')?.lagHours, 2);
  assert.deepEqual(byStream.get('itemusage')?.late, { count: 2, maxHours: 18 });
  assert.equal(byStream.get('signin')?.lagHours, undefined, 'no events, no lag');
});

void test('hel report prints the lag and late arrivals in Markdown and HTML', async (t) => {
  const dir = tempDir(t);
  const input = writeInput(dir);
  const md = await runCli(['report', '-i', input, '-f', 'md', '-o', '-']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /\| Stream \| Events \| First event \| Last event \| Lag \(h\) \| Late &gt; 10 min \| Latest by \(h\) \| Gaps &gt; 24 h \|/);
  assert.match(md.stdout, /\| Item usage \| 5 \| [^|]+ \| [^|]+ \| -?[\d.]+ \| 2 \| 18 \| 0 \|/);
  const html = await runCli(['report', '-i', input, '-f', 'html', '-o', join(dir, 'r.html')]);
  assert.equal(html.code, 0, html.stderr);
});
