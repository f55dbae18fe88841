import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOnePasswordMock, type MockServer } from '../../../../src/integrations/onepassword/mock/server.js';
import { runCli } from '../../../helpers/cli.js';
import { tempDir } from '../../../helpers/tmp.js';
import { validateOcsf } from '../../../helpers/ocsf-validator.js';
import { validateYaml } from '../../../helpers/validate-cli.js';

// The real CLI against the fake 1Password Events API, writing OCSF and ECS.

let mock: MockServer;
const DAY = 86_400_000;

before(async () => {
  mock = await startOnePasswordMock({ events: 300, seed: 'ocsf-cli', spreadHours: 48, rateLimit: false });
});
after(async () => {
  await mock.close();
});

function config(dir: string, global: string, entry: string): string {
  const path = join(dir, 'hel.yaml');
  const start = new Date(Date.now() - 4 * DAY).toISOString();
  writeFileSync(path, `global:\n  state: {path: ${join(dir, 'state.db')}}\n${global}sources:\n  acme:\n    type: onepassword\n    base_url: ${mock.url}\n    start_time: "${start}"\n${entry}`);
  return path;
}

const parse = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

void test('global.output.format: ocsf writes every stream as valid OCSF 1.8.0, labelled in metadata.tags', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['run', '--once', '-c', config(dir, '  output: {format: ocsf, raw_data: true}\n', '')], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  assert.equal(r.code, 0, r.stderr);
  const lines = parse(r.stdout);
  assert.equal(lines.length, 900);
  const classes = new Set<number>();
  for (const line of lines) {
    assert.deepEqual(validateOcsf(line).errors, []);
    classes.add(line.class_uid as number);
    const md = line.metadata as { tags: unknown; log_name: string };
    assert.deepEqual(md.tags, [{ name: 'source', value: `acme-${md.log_name}` }]);
    assert.equal(typeof line.raw_data, 'string');
  }
  assert.ok(classes.has(3002) && classes.has(6003) && classes.has(3005), [...classes].join(','));
});

void test('output_format on the short form applies to its streams; the explicit form keeps the global format', async (t) => {
  const dir = tempDir(t);
  const path = config(dir, '', '    output_format: ecs\n    streams: [signinattempts]\n');
  const r = await runCli(['run', '--once', '-c', path], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  assert.equal(r.code, 0, r.stderr);
  const lines = parse(r.stdout);
  assert.equal(lines.length, 300);
  for (const line of lines) {
    assert.equal((line.event as Record<string, unknown>).dataset, '1password.signin_attempts');
    assert.deepEqual(line.labels, { source: 'acme-signinattempts' });
    assert.equal((line.event as Record<string, unknown>).original, undefined);
  }
  // and hel report reads what was written
  writeFileSync(join(dir, 'out.ndjson'), r.stdout);
  const rep = await runCli(['report', '--input', join(dir, 'out.ndjson'), '--format', 'json', '--out', join(dir, 'r.json')]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.equal((JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { totals: { signin: number } }).totals.signin, 300);
});

void test('a source whose integration has no mapping fails validation with the key, a reason and a fix', async (t) => {
  const yaml = `global:\n  output:\n    format: ocsf\nsources:\n  okta:\n    url: https://example.okta.com/api/v1/logs\n  plain:\n    url: https://logs.example.net/events\n  op:\n    url: https://events.1password.com/api/v2/auditevents\n    method: post\n  other:\n    url: https://example.com/events\n    output_format: envelope\n`;
  const r = await validateYaml(t, yaml);
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(r.problems, [
    'hel.yaml:6:5 sources.okta.output_format: global.output.format is ocsf: the okta integration has no ocsf mapping for source okta (https://example.okta.com/api/v1/logs) (set output_format: envelope (or raw) on this source)',
    "hel.yaml:8:5 sources.plain.output_format: global.output.format is ocsf: output format ocsf needs a mapping, and source plain belongs to no integration that has one (onepassword) (set output_format: envelope (or raw) on this source, or use the integration's short form (type: onepassword))",
  ]);
});

void test('a 1Password host with a path that is none of the three streams has no mapping', async (t) => {
  const yaml = `sources:\n  op:\n    url: https://events.1password.com/api/v2/auth/introspect\n    output_format: ecs\n`;
  const r = await validateYaml(t, yaml);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /the onepassword integration has no ecs mapping for source op/);
});

void test('an unknown format is a config error listing the four', async (t) => {
  const r = await validateYaml(t, `global:\n  output:\n    format: cef\nsources:\n  op:\n    url: https://example.com/x\n`);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /envelope.*raw.*ocsf.*ecs/);
});
