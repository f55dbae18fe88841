import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { SecretsFile } from '../../src/secrets/secrets-file.js';
import { MASTER_KEY, OTHER_KEY, eventsToken, plaintextCanary } from '../helpers/secrets-fixtures.js';

const env = (key = MASTER_KEY) => ({ HEL_MASTER_KEY: key, HEL_MASTER_KEY_FILE: undefined, HEL_CONFIG: undefined });

function assertNoLeak(value: string, ...results: CliResult[]): void {
  for (const r of results) {
    assert.ok(!r.stdout.includes(value), 'value leaked to stdout');
    assert.ok(!r.stderr.includes(value), 'value leaked to stderr');
  }
}

void test('set, list, read and rm round trip through the CLI', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'store.enc');
  const value = plaintextCanary();

  const set = await runCli(['secrets', 'set', 'api_key', '--file', file], { env: env(), input: `${value}\n`, cwd: dir });
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /stored api_key/);

  const list = await runCli(['secrets', 'list', '--file', file], { env: env(), cwd: dir });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^api_key\s+\d{4}-\d\d-\d\dT/m);

  assert.equal(new SecretsFile({ path: file, env: { HEL_MASTER_KEY: MASTER_KEY } }).value('api_key'), value);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'secrets file must be mode 0600');
  const bytes = readFileSync(file);
  assert.ok(!bytes.includes(value), 'plaintext in the file');
  assert.ok(!bytes.includes(Buffer.from(value).toString('base64')), 'base64 plaintext in the file');
  assert.ok(!bytes.includes('api_key'), 'names are encrypted too');

  const rm = await runCli(['secrets', 'rm', 'api_key', '--file', file], { env: env(), cwd: dir });
  assert.equal(rm.code, 0, rm.stderr);
  assert.throws(() => new SecretsFile({ path: file, env: { HEL_MASTER_KEY: MASTER_KEY } }).value('api_key'), { code: 'HEL_SECRET', message: /not in/ });
  const rmAgain = await runCli(['secrets', 'rm', 'api_key', '--file', file], { env: env(), cwd: dir });
  assert.equal(rmAgain.code, 2);
  assertNoLeak(value, set, list, rm, rmAgain);
});

void test('each write uses a fresh IV', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'store.enc');
  await runCli(['secrets', 'set', 'a', '--file', file], { env: env(), input: 'x' });
  const first = JSON.parse(readFileSync(file, 'utf8')) as { iv: string; data: string };
  await runCli(['secrets', 'set', 'a', '--file', file], { env: env(), input: 'x' });
  const second = JSON.parse(readFileSync(file, 'utf8')) as { iv: string; data: string };
  assert.notEqual(first.iv, second.iv);
  assert.notEqual(first.data, second.data);
});

void test('a value given as an argument is refused and not echoed', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'store.enc');
  const value = plaintextCanary();
  const r = await runCli(['secrets', 'set', 'api_key', value, '--file', file], { env: env(), input: 'from-stdin' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not accepted as arguments/);
  assert.equal(existsSync(file), false, 'nothing may be stored');
  assertNoLeak(value, r);
});

void test('a wrong key is reported clearly', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'store.enc');
  const value = plaintextCanary();
  await runCli(['secrets', 'set', 'api_key', '--file', file], { env: env(), input: value });
  const wrong = await runCli(['secrets', 'list', '--file', file], { env: env(OTHER_KEY) });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /cannot decrypt .*wrong HEL_MASTER_KEY\?/);
  const passphrase = await runCli(['secrets', 'list', '--file', file], { env: env('not the key') });
  assert.equal(passphrase.code, 2);
  assert.match(passphrase.stderr, /wrong HEL_MASTER_KEY\?/);
  const none = await runCli(['secrets', 'list', '--file', file], { env: { HEL_MASTER_KEY: undefined, HEL_MASTER_KEY_FILE: undefined } });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no master key.*\n.*hint: export HEL_MASTER_KEY/);
  assertNoLeak(value, wrong, passphrase, none);
  assertNoLeak(MASTER_KEY, wrong, passphrase, none);
});

void test('a tampered file is reported as modified, not decrypted', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'store.enc');
  const value = plaintextCanary();
  await runCli(['secrets', 'set', 'api_key', '--file', file], { env: env(), input: value });
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data: string };
  const data = Buffer.from(parsed.data, 'base64');
  data[data.length >> 1]! ^= 0x01;
  writeFileSync(file, JSON.stringify({ ...parsed, data: data.toString('base64') }));
  const r = await runCli(['secrets', 'list', '--file', file], { env: env() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot decrypt .*modified or is damaged \(authentication failed\)/);
  writeFileSync(file, 'garbage');
  const garbage = await runCli(['secrets', 'list', '--file', file], { env: env() });
  assert.equal(garbage.code, 2);
  assert.match(garbage.stderr, /modified or is damaged \(not valid JSON\)/);
  assertNoLeak(value, r, garbage);
});

void test('a key file readable by others is refused; mode 0600 works', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'store.enc');
  const keyFile = join(dir, 'master.key');
  writeFileSync(keyFile, `${MASTER_KEY}\n`);
  chmodSync(keyFile, 0o644);
  const loose = await runCli(['secrets', 'set', 'a', '--file', file, '--key-file', keyFile], { env: { HEL_MASTER_KEY: undefined }, input: 'v' });
  assert.equal(loose.code, 2);
  assert.ok(loose.stderr.includes(`chmod 600 ${keyFile}`), loose.stderr);
  assert.equal(existsSync(file), false);

  chmodSync(keyFile, 0o600);
  const ok = await runCli(['secrets', 'set', 'a', '--file', file, '--key-file', keyFile], { env: { HEL_MASTER_KEY: undefined }, input: 'v' });
  assert.equal(ok.code, 0, ok.stderr);
  // The same key given as HEL_MASTER_KEY_FILE, and as hex in HEL_MASTER_KEY, opens the file.
  const viaEnv = await runCli(['secrets', 'list', '--file', file], { env: { HEL_MASTER_KEY: undefined, HEL_MASTER_KEY_FILE: keyFile } });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.equal(new SecretsFile({ path: file, env: { HEL_MASTER_KEY: MASTER_KEY } }).value('a'), 'v');
});

void test('a 1Password token: set prints its expiry and list warns within 14 days', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'store.enc');
  const soon = eventsToken(5);
  const later = eventsToken(200);
  const setSoon = await runCli(['secrets', 'set', 'op_soon', '--file', file], { env: env(), input: soon });
  assert.equal(setSoon.code, 0, setSoon.stderr);
  assert.match(setSoon.stdout, /token expires \d{4}-\d\d-\d\d \(in 4 day\(s\)\)/);
  assert.match(setSoon.stderr, /warning: secret op_soon/);
  const setLater = await runCli(['secrets', 'set', 'op_later', '--file', file], { env: env(), input: later });
  assert.match(setLater.stdout, /token expires .*\(in 199 day\(s\)\)/);
  const list = await runCli(['secrets', 'list', '--file', file], { env: env() });
  assert.match(list.stdout, /^op_soon .*in 4 day\(s\).*WARNING: rotate soon$/m);
  assert.match(list.stdout, /^op_later .*in 199 day\(s\)\)$/m);
  assertNoLeak(soon, setSoon, setLater, list);
  assertNoLeak(later, setSoon, setLater, list);
});

void test('-c reads global.secrets.path from the config', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hel.yaml'), 'global:\n  secrets:\n    path: ./from-config.enc\nsources:\n  demo:\n    url: https://example.com/events\n');
  const r = await runCli(['secrets', 'set', 'a', '-c', 'hel.yaml'], { env: env(), input: 'v', cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'from-config.enc')));
  const viaDefault = await runCli(['secrets', 'list'], { env: env(), cwd: dir });
  assert.match(viaDefault.stdout, /^a\s/m, 'a ./hel.yaml in the working directory is used without -c');
});
