import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../helpers/cli.js';
import { tempDir } from '../../../helpers/tmp.js';
import { buildFixture } from '../../../helpers/report-fixtures.js';
import type { MappedFormat } from '../../../../src/pipeline/mappings.js';
import { COLLECTED_AT, mapperOf } from './mapping-helpers.js';

type Line = Record<string, unknown>;
const STREAMS = [
  ['auditevents', 'audit'],
  ['signinattempts', 'signin'],
  ['itemusages', 'itemusage'],
] as const;

/** The report fixture written three ways into `dir`: one file per stream, one event per line. */
function writeAs(dir: string, encode: (stream: (typeof STREAMS)[number][0], event: Line) => Line): string[] {
  mkdirSync(dir, { recursive: true });
  const fixture = buildFixture();
  return STREAMS.map(([stream, kind]) => {
    const file = `${stream}.ndjson`;
    writeFileSync(join(dir, file), fixture[kind].map((e) => JSON.stringify(encode(stream, e))).join('\n') + '\n');
    return file;
  });
}

async function report(dir: string, files: string[]): Promise<Line> {
  const r = await runCli(['report', '--input', ...files, '--format', 'json', '--out', 'report.json', '--since', '2026-03-01', '--until', '2026-03-08'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Line;
  delete data.generatedAt;
  return data;
}

const envelope = (stream: string, event: Line): Line => ({ ts: event.timestamp, source: `op-${stream}`, endpoint: `/api/v2/${stream}`, event, meta: {} });
const mapped =
  (format: MappedFormat, rawData: boolean) =>
  (stream: (typeof STREAMS)[number][0], event: Line): Line =>
    mapperOf(format, stream, 'v2', rawData).map(event, { endpoint: `/api/v2/${stream}`, collectedAt: COLLECTED_AT });

void test('hel report reads OCSF and ECS output (with and without the raw event) to the same report as the envelope', async (t) => {
  const root = tempDir(t);
  const expected = await report(join(root, 'envelope'), writeAs(join(root, 'envelope'), envelope));
  const totals = expected.totals as Record<string, number>;
  assert.ok(totals.audit! > 0 && totals.signin! > 0 && totals.itemusage! > 0, JSON.stringify(totals));
  for (const [format, rawData] of [
    ['ocsf', false],
    ['ocsf', true],
    ['ecs', false],
    ['ecs', true],
  ] as const) {
    const dir = join(root, `${format}-${String(rawData)}`);
    const actual = await report(dir, writeAs(dir, mapped(format, rawData)));
    assert.deepEqual(actual, expected, `${format}${rawData ? ' with the raw event' : ''}`);
  }
});

void test('a mapped line of an unknown stream is counted as unrecognised, not guessed', async (t) => {
  const dir = tempDir(t);
  const line = mapped('ocsf', false)('auditevents', buildFixture().audit[0]!);
  (line.metadata as Line).log_name = 'somethingelse';
  writeFileSync(join(dir, 'x.ndjson'), JSON.stringify(line) + '\n');
  const r = await runCli(['report', '--input', 'x.ndjson', '--format', 'json', '--out', 'r.json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { inputs: { unrecognised: { count: number } } };
  assert.equal(data.inputs.unrecognised.count, 1);
});
