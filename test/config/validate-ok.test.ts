import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { CLEAN_ENV, assertNoStack, validateYaml } from '../helpers/validate-cli.js';
import { SEED_CONFIG, fakeEventsToken } from '../helpers/config-fixtures.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const TOKEN = { ONEPASSWORD_EVENTS_TOKEN: 'ops_not_a_jwt' };
const SEED_BUDGET = 'budget onepassword:events.1password.com:env:ONEPASSWORD_EVENTS_TOKEN';

void test("the seed's YAML pasted verbatim under sources: validates with the token set", async (t) => {
  const r = await validateYaml(t, SEED_CONFIG, TOKEN);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(
    r.stdout,
    `1password-audit: POST https://events.1password.com/api/v2/auditevents, cursor (max 50 pages), every 300s ±30s, dedupe uuid, ${SEED_BUDGET}\n` + 'config valid: 1 source in hel.yaml\n',
  );
});

void test('every examples/*.yaml validates (examples/hel.yaml and examples/1password-short.yaml among them)', async () => {
  const files = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  assert.ok(files.length > 0, 'no examples/*.yaml');
  for (const name of ['hel.yaml', '1password-short.yaml']) assert.ok(files.includes(name), `examples/${name} is missing`);
  for (const file of files) {
    const r = await runCli(['validate', '-c', join(EXAMPLES, file)], { env: { ...CLEAN_ENV, ...TOKEN }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, `examples/${file}: ${r.stderr}`);
    assert.match(r.stdout, /^config valid: \d+ sources? in /m, file);
  }
});

void test('a typical config: validate completes and prints one line per source, then a summary', async (t) => {
  const yaml = `global:
  state:
    path: ./state.db
sources:
  github:
    url: https://api.github.example/orgs/acme/audit-log
    auth:
      type: bearer
      token_env: GH_TOKEN
    pagination:
      strategy: link_header
    schedule:
      interval_secs: 600
  acme:
    type: onepassword
    region: eu
    streams: [auditevents, signinattempts]
${SEED_CONFIG.replace(/^sources:\n/, '')}`;
  const r = await validateYaml(t, yaml, { ...TOKEN, GH_TOKEN: 'ghp_test' });
  assert.equal(r.code, 0, r.stderr);
  assertNoStack(r);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines, [
    'github: GET https://api.github.example/orgs/acme/audit-log, link_header (max 100 pages), every 600s, dedupe _document_id',
    `1password-audit: POST https://events.1password.com/api/v2/auditevents, cursor (max 50 pages), every 300s ±30s, dedupe uuid, ${SEED_BUDGET}`,
    'acme-auditevents: POST https://events.1password.eu/api/v2/auditevents, cursor (max 1000 pages), every 300s ±30s, dedupe uuid, budget onepassword:events.1password.eu:env:ONEPASSWORD_EVENTS_TOKEN [from acme: type onepassword]',
    'acme-signinattempts: POST https://events.1password.eu/api/v2/signinattempts, cursor (max 1000 pages), every 300s ±30s, dedupe uuid, budget onepassword:events.1password.eu:env:ONEPASSWORD_EVENTS_TOKEN [from acme: type onepassword]',
    'config valid: 4 sources in hel.yaml',
  ]);
});

void test('${VAR:-default} is used when VAR is unset, $$ is a literal dollar', async (t) => {
  const yaml = 'sources:\n  src:\n    url: ${BASE:-https://a.example}/v1/${PATH_PART:-events}\n    query_params:\n      filter: $${literal}\n';
  const r = await validateYaml(t, yaml, { BASE: undefined, PATH_PART: 'audit' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^src: GET https:\/\/a\.example\/v1\/audit, single request, every 60s$/m);
});

void test('HEL_CONFIG is honoured, and -c wins over it', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'custom.yaml'), 'sources:\n  from-env:\n    url: https://a.example/\n');
  writeFileSync(join(dir, 'other.yaml'), 'sources:\n  from-flag:\n    url: https://b.example/\n');
  const viaEnv = await runCli(['validate'], { cwd: dir, env: { ...CLEAN_ENV, HEL_CONFIG: 'custom.yaml' } });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.match(viaEnv.stdout, /^from-env: GET /m);
  assert.match(viaEnv.stdout, /config valid: 1 source in custom\.yaml/);

  const viaFlag = await runCli(['validate', '-c', 'other.yaml'], { cwd: dir, env: { ...CLEAN_ENV, HEL_CONFIG: 'custom.yaml' } });
  assert.equal(viaFlag.code, 0, viaFlag.stderr);
  assert.match(viaFlag.stdout, /^from-flag: GET /m);

  const missing = await runCli(['validate'], { cwd: dir, env: { ...CLEAN_ENV, HEL_CONFIG: 'gone.yaml' } });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^ {2}gone\.yaml does not exist \(pass --config PATH or set HEL_CONFIG;/m);
});

void test('warnings go to stderr and do not fail validation', async (t) => {
  const soon = Math.floor(Date.now() / 1000) + 5 * 86_400;
  const yaml = 'sources:\n  op:\n    type: onepassword\n    streams: [auditevents]\n  src:\n    url: https://a.example/\n    schedule:\n      interval_secs: 10\n      jitter_secs: 10\n';
  const r = await validateYaml(t, yaml, { ONEPASSWORD_EVENTS_TOKEN: fakeEventsToken({ aud: ['events.1password.ca'], exp: soon }) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: source op: the bearer token expires in 4 day\(s\): rotate it before its expiry date$/m);
  assert.match(r.stderr, /^warning: source src: jitter_secs \(10\) is not smaller than interval_secs \(10\)/m);
  assert.match(r.stdout, /^op-auditevents: POST https:\/\/events\.1password\.ca\/api\/v2\/auditevents,/m);
});

void test('hel schema prints a JSON Schema with every source key', async () => {
  const r = await runCli(['schema'], { env: CLEAN_ENV });
  assert.equal(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout) as {
    $schema: string;
    required: string[];
    properties: { global: { properties: Record<string, unknown> }; sources: { additionalProperties: { anyOf: { properties: Record<string, unknown> }[] } } };
  };
  assert.match(schema.$schema, /json-schema\.org/);
  assert.deepEqual(schema.required, ['sources']);
  const variants = schema.properties.sources.additionalProperties.anyOf;
  const [shortForm, source] = [variants[0], variants.at(-1)];
  assert.equal(variants.length, 7, 'the explicit source and one short form per integration');
  for (const key of ['url', 'method', 'body', 'headers', 'query_params', 'schedule', 'auth', 'pagination', 'resilience', 'dedupe', 'source_label_value']) {
    assert.ok(key in source!.properties, `source key ${key}`);
  }
  for (const key of ['type', 'region', 'streams', 'token_env', 'limit', 'profile']) assert.ok(key in shortForm!.properties, `short-form key ${key}`);
  for (const key of ['log_level', 'state', 'output', 'api', 'metrics', 'secrets']) assert.ok(key in schema.properties.global.properties, `global key ${key}`);
  assert.ok(r.stdout.includes('"cursor_path"') && r.stdout.includes('"failure_threshold"') && r.stdout.includes('"max_attempts"'));
});
