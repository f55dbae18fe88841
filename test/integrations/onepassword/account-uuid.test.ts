import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOnePasswordMock } from '../../../src/integrations/onepassword/mock/server.js';
import { decodeEventsToken } from '../../../src/integrations/onepassword/jwt.js';
import { fakeApi } from '../../helpers/fake-api.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

// Issue 18 item 3: the connection test shows which account issued the token — introspect's
// account_uuid (v2, API 1.4.1+), or the token's own claim when the response has none.

const MSP_ACCOUNT = 'VZSYVT2LGHTBWBQGUJAIZVRABM';

function config(dir: string, base: string): string {
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, `sources:\n  acme:\n    type: onepassword\n    base_url: ${base}\n    streams: [auditevents]\n`);
  return path;
}

void test('v2 introspect: validate --online and hel test print the account_uuid of the response', async (t) => {
  const mock = await startOnePasswordMock({ events: 3 });
  t.after(() => mock.close());
  const token = await mock.mintToken({ accountUuid: MSP_ACCOUNT });
  const dir = tempDir(t);
  const path = config(dir, mock.url);
  const online = await runCli(['validate', '--online', '-c', path], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.equal(online.code, 0, online.stderr);
  assert.match(online.stdout, new RegExp(`introspect \\(v2\\): integration [A-Z2-7]{26}, account ${MSP_ACCOUNT}, issued `));
  assert.doesNotMatch(online.stdout, /has no account_uuid/);

  const defaultAccount = decodeEventsToken(mock.token)?.['1password.com/auuid'];
  const tested = await runCli(['test', '-c', path, '--source', 'acme-auditevents'], { env: { ONEPASSWORD_EVENTS_TOKEN: mock.token } });
  assert.equal(tested.code, 0, tested.stderr);
  assert.match(tested.stderr, new RegExp(`introspect \\(v2\\): integration [A-Z2-7]{26}, account ${String(defaultAccount)},`));
});

void test('a v2 response from before 1.4.1 (no account_uuid) and the v1 PascalCase shape: the account comes from the token', async (t) => {
  const token = await (async () => {
    const mock = await startOnePasswordMock({ events: 0 });
    const minted = await mock.mintToken({ accountUuid: MSP_ACCOUNT });
    await mock.close();
    return minted;
  })();
  const features = ['auditevents', 'signinattempts', 'itemusages'];
  const old = await fakeApi(t, (req) => (req.path === '/api/v2/auth/introspect' ? { body: { uuid: 'OJQGU46KAPROEJLCK674RHSAY5', issued_at: '2025-10-01T17:04:11Z', features } } : { status: 404 }));
  const v1Only = await fakeApi(t, (req) =>
    req.path === '/api/auth/introspect'
      ? { body: { UUID: 'OJQGU46KAPROEJLCK674RHSAY5', IssuedAt: '2025-10-01T17:04:11Z', Features: features } }
      : { status: 404, body: { Error: { Message: 'Not Found' } } },
  );
  const dir = tempDir(t);
  const before141 = await runCli(['validate', '--online', '-c', config(dir, old.url)], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.equal(before141.code, 0, before141.stdout + before141.stderr);
  assert.match(before141.stdout, new RegExp(`introspect \\(v2\\): integration OJQGU46KAPROEJLCK674RHSAY5, account ${MSP_ACCOUNT} \\(from the token\\), issued 2025-10-01T17:04:11Z`));
  assert.match(before141.stdout, /no account_uuid \(added to v2 in Events API 1\.4\.1\)/);

  const v1 = await runCli(['validate', '--online', '-c', config(dir, v1Only.url)], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.equal(v1.code, 0, v1.stdout + v1.stderr);
  assert.match(v1.stdout, new RegExp(`introspect \\(v1\\): integration OJQGU46KAPROEJLCK674RHSAY5, account ${MSP_ACCOUNT} \\(from the token\\)`));
  assert.match(v1.stdout, /the deprecated v1 endpoint never carries it/);
  assert.deepEqual(
    v1Only.requests.map((r) => r.path),
    ['/api/v2/auth/introspect', '/api/auth/introspect'],
    'v2 first, v1 only after a 404',
  );
});

void test('introspect naming another account than the token claims is a warning', async (t) => {
  const mock = await startOnePasswordMock({ events: 0 });
  const token = await mock.mintToken({ accountUuid: MSP_ACCOUNT });
  await mock.close();
  const api = await fakeApi(t, () => ({ body: { uuid: 'OJQGU46KAPROEJLCK674RHSAY5', issued_at: '2025-10-01T17:04:11Z', features: ['auditevents'], account_uuid: 'AAAAAAAAAAAAAAAAAAAAAAAAAA' } }));
  const r = await runCli(['validate', '--online', '-c', config(tempDir(t), api.url)], { env: { ONEPASSWORD_EVENTS_TOKEN: token } });
  assert.match(r.stdout, new RegExp(`WARN introspect names account AAAAAAAAAAAAAAAAAAAAAAAAAA, but the token claims account ${MSP_ACCOUNT}`));
});
