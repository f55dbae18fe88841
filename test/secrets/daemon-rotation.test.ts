import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, startHel, waitFor, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { plaintextCanary } from '../helpers/secrets-fixtures.js';

// The daemon keeps one resolver for its whole life: `hel secrets set` on the running store must
// still reach the next request (the resolver re-reads a changed file), and nothing may leak.
void test('hel run with token_secret under a passphrase: hel secrets set rotates the token for the next poll, no value is ever printed', async (t) => {
  const dir = tempDir(t);
  const keyFile = join(dir, 'master.key');
  writeFileSync(keyFile, 'a passphrase, so the key goes through scrypt\n', { mode: 0o600 });
  const store = join(dir, 'hel-secrets.enc');
  const first = plaintextCanary();
  const second = plaintextCanary();
  const storeArgs = ['--file', store, '--key-file', keyFile];
  assert.equal((await hel(['secrets', 'set', 'api_token', ...storeArgs], { input: first })).code, 0);

  let served = 0;
  const api = await fakeApi(t, () => ({ body: { items: [{ id: `e${++served}` }] } }));
  const source = { url: `${api.url}/events`, auth: { type: 'bearer', token_secret: 'api_token' }, schedule: { interval_secs: 0.2, jitter_secs: 0 } };
  const secrets = { path: store, key_file: keyFile };
  const config = writeConfig(dir, { global: { secrets }, sources: { api: source } });
  const output = join(dir, 'out.ndjson');
  const run = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db'), '--output', output]);
  const bearer = (value: string) => api.requests.filter((r) => r.headers.authorization === `Bearer ${value}`).length;
  await waitFor(() => bearer(first) >= 3, 30_000, 'three polls with the first token');

  const rotated = await hel(['secrets', 'set', 'api_token', ...storeArgs], { input: second });
  assert.equal(rotated.code, 0, rotated.stderr);
  const switchedAt = api.requests.length;
  await waitFor(() => bearer(second) >= 2, 30_000, 'two polls with the rotated token');
  // A poll already on the wire when the file changed may carry the old token; every later one carries the new.
  const headers = api.requests.map((r) => r.headers.authorization);
  const firstNew = headers.indexOf(`Bearer ${second}`);
  assert.ok(firstNew - switchedAt <= 1, `${firstNew - switchedAt} requests with the old token after the rotation`);
  assert.ok(
    headers.slice(firstNew).every((h) => h === `Bearer ${second}`),
    'the old token came back',
  );

  // SIGHUP: the rebuilt source reads through the same resolver; a moved store needs a restart.
  writeConfig(dir, { global: { secrets }, sources: { api: { ...source, headers: { 'x-config': 'v2' } } } });
  run.child.kill('SIGHUP');
  await waitFor(() => api.requests.some((r) => r.headers['x-config'] === 'v2'), 30_000, 'a poll with the reloaded config');
  assert.ok(api.requests.filter((r) => r.headers['x-config'] === 'v2').every((r) => r.headers.authorization === `Bearer ${second}`));
  writeConfig(dir, { global: { secrets: { ...secrets, path: join(dir, 'elsewhere.enc') } }, sources: { api: source } });
  run.child.kill('SIGHUP');
  await waitFor(() => run.stderr().includes('reload refused'), 30_000, 'the refusal');
  assert.match(run.stderr(), /global\.secrets changed; it applies only at start: restart hel/);

  run.child.kill('SIGTERM');
  const exited = await run.exited;
  assert.equal(exited.code, 0, run.stderr());
  const printed = `${run.stdout()}\n${run.stderr()}\n${readFileSync(output, 'utf8')}\n${rotated.stdout}\n${rotated.stderr}`;
  for (const value of [first, second]) assert.ok(!printed.includes(value), 'a token value appeared in the output or the logs');
});
