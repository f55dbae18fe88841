import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { bodyFields } from '../../../src/http/request.js';
import { startOnePasswordMock, type MockServer } from '../../../src/integrations/onepassword/mock/server.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { validateYaml } from '../../helpers/validate-cli.js';

// Issue 18 item 6: many 1Password accounts in one entry — sources per account with the account as
// a label, one request budget per account, one validate line per account, a report per account.

const ACCOUNTS = { acme: 'ACMEACMEACMEACMEACMEACMEAA', globex: 'GLOBEXGLOBEXGLOBEXGLOBEXGL', initech: 'INITECHINITECHINITECHINITE' };
const NOW = Date.parse('2027-03-15T12:00:00Z');
let mock: MockServer;
const tokens: Record<string, string> = {};

before(async () => {
  mock = await startOnePasswordMock({ events: 30, seed: 'accounts', rateLimit: false });
  for (const [name, uuid] of Object.entries(ACCOUNTS)) tokens[name] = await mock.mintToken({ accountUuid: uuid });
});
after(async () => {
  await mock.close();
});

const MSP = `sources:
  msp:
    type: onepassword
    base_url: BASE
    start_time: -2d
    accounts:
      - name: acme
        token_env: ACME_TOKEN
      - name: globex
        token_env: GLOBEX_TOKEN
        streams: [auditevents]
      - name: initech
        token_env: INITECH_TOKEN
        start_time: -1d
        api_version: v1
`;
const env = () => ({ ACME_TOKEN: tokens.acme, GLOBEX_TOKEN: tokens.globex, INITECH_TOKEN: tokens.initech });

void test('an accounts: entry expands per account: names, account label, its own budget, entry defaults and overrides', () => {
  const config = parseConfig(MSP.replace('BASE', 'http://127.0.0.1:9'), 'hel.yaml', { env: env(), now: () => NOW });
  assert.deepEqual(
    config.sources.map((s) => s.name),
    ['msp-acme-auditevents', 'msp-acme-signinattempts', 'msp-acme-itemusages', 'msp-globex-auditevents', 'msp-initech-auditevents', 'msp-initech-signinattempts', 'msp-initech-itemusages'],
  );
  for (const s of config.sources) {
    const account = s.name.split('-')[1];
    assert.deepEqual(s.envelopeMeta, { account });
    assert.equal(s.onepassword?.entry, 'msp');
    assert.equal(s.onepassword?.account, account);
    assert.equal(s.labelValue, s.name);
  }
  const budgets = new Map(config.sources.map((s) => [s.onepassword?.account, s.resilience.rate_limit.budget]));
  assert.equal(new Set(budgets.values()).size, 3, 'one budget per account');
  for (const s of config.sources) assert.equal(s.resilience.rate_limit.max_requests_per_minute, 600);
  const byName = new Map(config.sources.map((s) => [s.name, s]));
  assert.equal(bodyFields(byName.get('msp-acme-auditevents') ?? {}).start_time, '2027-03-13T12:00:00.000Z', 'the entry start_time');
  assert.equal(bodyFields(byName.get('msp-initech-auditevents') ?? {}).start_time, '2027-03-14T12:00:00.000Z', 'the account start_time');
  assert.match(byName.get('msp-initech-auditevents')?.url ?? '', /\/api\/v1\/auditevents$/);
  assert.match(byName.get('msp-acme-auditevents')?.url ?? '', /\/api\/v2\/auditevents$/);
});

void test('account problems name the account key: missing token, duplicate name, shared token, token on the entry', async (t) => {
  const yaml = `sources:
  msp:
    type: onepassword
    region: com
    token_env: SHARED
    accounts:
      - name: a
        token_env: A_TOKEN
      - name: a
        token_env: B_TOKEN
      - name: c
      - name: d
        token_env: A_TOKEN
`;
  const r = await validateYaml(t, yaml, { A_TOKEN: 'ops_a', B_TOKEN: 'ops_b', SHARED: 'ops_s' });
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(r.problems, [
    'hel.yaml:5:16 sources.msp.token_env: token_env is set on an entry with accounts: (each account names its own token: move it into the account)',
    'hel.yaml:9:15 sources.msp.accounts.1.name: account name "a" is also used by accounts[0] (give every account a distinct name: it names its sources and labels its events)',
    'hel.yaml:11:9 sources.msp.accounts.2: account c has no token (set token_env, token_file or token_secret in the account)',
    'hel.yaml:12:9 sources.msp.accounts.3: account d uses the same token as accounts[0] (token_env A_TOKEN) (a token belongs to one account: give each account its own)',
  ]);
});

void test('validate prints one line per account, and one per source with -v', async (t) => {
  const yaml = MSP.replace('BASE', mock.url);
  const short = await validateYaml(t, yaml, env());
  assert.equal(short.code, 0, short.stderr);
  const lines = short.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 4, short.stdout);
  assert.match(lines[0] ?? '', new RegExp(`^msp/acme: 3 sources \\(auditevents, signinattempts, itemusages\\) at ${mock.url}, every 300s ±30s, budget onepassword:`));
  assert.match(lines[1] ?? '', /^msp\/globex: 1 source \(auditevents\) at \S+, every/);
  assert.match(lines[2] ?? '', /^msp\/initech: 3 sources \(auditevents, signinattempts, itemusages\)/);
  assert.equal(lines[3], 'config valid: 7 sources in hel.yaml');
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hel.yaml'), yaml);
  const all = await runCli(['validate', '-v', '-c', 'hel.yaml'], { cwd: dir, env: env() });
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout.trimEnd().split('\n').length, 8);
  assert.match(all.stdout, /^msp-globex-auditevents: POST .*\[from msp: type onepassword\]$/m);
});

void test('run: every account reads its own account, events carry meta.account, and report splits the evidence', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'hel.yaml');
  const out = join(dir, 'events.ndjson');
  writeFileSync(path, `global:\n  state: {path: ${join(dir, 'state.db')}}\n  output: {path: ${out}}\n${MSP.replace('BASE', mock.url).replace('sources:\n', 'sources:\n')}`);
  const mark = mock.requests.length;
  const r = await runCli(['run', '--once', '-c', path], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const events = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { source: string; meta: { account?: string }; event: { account_uuid?: string } });
  for (const name of Object.keys(ACCOUNTS))
    assert.ok(
      events.some((e) => e.meta.account === name),
      `events of ${name}`,
    );
  for (const e of events) {
    assert.equal(e.source.split('-')[1], e.meta.account);
    if (e.event.account_uuid !== undefined) assert.equal(e.event.account_uuid, ACCOUNTS[e.meta.account as keyof typeof ACCOUNTS], 'v2 events of the right account');
  }
  const perAccount = new Map<string, number>();
  for (const req of mock.requests.slice(mark)) if (req.account) perAccount.set(req.account, (perAccount.get(req.account) ?? 0) + 1);
  assert.deepEqual([...perAccount.keys()].sort(), Object.values(ACCOUNTS).sort(), 'each token reads its own account');

  const reports = join(dir, 'reports');
  mkdirSync(reports);
  const rep = await runCli(['report', '-i', out, '--per-account', '-f', 'json', '-o', join(reports, 'evidence-{account}.json')], { env: {} });
  assert.equal(rep.code, 0, rep.stderr);
  assert.deepEqual(readdirSync(reports).sort(), ['evidence-acme.json', 'evidence-globex.json', 'evidence-initech.json']);
  const globex = JSON.parse(readFileSync(join(reports, 'evidence-globex.json'), 'utf8')) as { account: string; title: string; totals: { audit: number; signin: number; itemusage: number } };
  assert.equal(globex.account, 'globex');
  assert.match(globex.title, /account globex/);
  assert.equal(globex.totals.audit, events.filter((e) => e.meta.account === 'globex').length);
  assert.equal(globex.totals.signin + globex.totals.itemusage, 0, 'globex collects audit events only');

  const one = await runCli(['report', '-i', out, '--account', 'acme', '-f', 'json', '-o', '-'], { env: {} });
  assert.equal(one.code, 0, one.stderr);
  const acme = JSON.parse(one.stdout) as { totals: { audit: number; signin: number; itemusage: number } };
  assert.equal(acme.totals.audit + acme.totals.signin + acme.totals.itemusage, events.filter((e) => e.meta.account === 'acme').length);
  const bad = await runCli(['report', '-i', out, '--per-account', '-o', 'one.html'], { env: {} });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--per-account needs \{account\} in --out/);
});

void test('raw output carries the account as a top-level key; report --per-account reads it, unlabelled events go to (none)', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'hel.yaml');
  const out = join(dir, 'raw.ndjson');
  writeFileSync(path, `global:\n  state: {path: ${join(dir, 'state.db')}}\n  output: {path: ${out}, format: raw}\n${MSP.replace('BASE', mock.url)}`);
  const r = await runCli(['run', '--once', '-c', path], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { source: string; account: string; uuid: string });
  assert.ok(lines.length > 0);
  for (const l of lines) assert.equal(l.account, l.source.split('-')[1]);
  // An event collected without accounts: (a single-account entry) has no account label.
  writeFileSync(
    out,
    readFileSync(out, 'utf8') +
      JSON.stringify({ uuid: 'SOLOSOLOSOLOSOLOSOLOSOLOSO', timestamp: new Date().toISOString(), action: 'join', object_type: 'gm', actor_uuid: 'A', source: 'solo-auditevents' }) +
      '\n',
  );
  const reports = join(dir, 'reports');
  mkdirSync(reports);
  const rep = await runCli(['report', '-i', out, '--per-account', '-f', 'json', '-o', join(reports, '{account}.json')], { env: {} });
  assert.equal(rep.code, 0, rep.stderr);
  assert.deepEqual(readdirSync(reports).sort(), ['_none_.json', 'acme.json', 'globex.json', 'initech.json']);
  const none = JSON.parse(readFileSync(join(reports, '_none_.json'), 'utf8')) as { totals: { audit: number } };
  assert.equal(none.totals.audit, 1);
});
