import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { credsAuthenticator, nkeyAuthenticator, nkeys, type ConnectionOptions } from '@nats-io/transport-node';
import { cursorFeed, fakeApi, makeEvents } from '../../helpers/fake-api.js';
import { hel, writeConfig } from '../../helpers/hel-process.js';
import { operatorMode } from '../../helpers/nats-jwt.js';
import { startNatsServer, type NatsServer } from '../../helpers/nats-server.js';
import { makeCertificates } from '../../helpers/test-certs.js';
import { tempDir } from '../../helpers/tmp.js';
import { MASTER_KEY, plaintextCanary } from '../../helpers/secrets-fixtures.js';
import { readStream } from '../../helpers/nats-stream.js';

const EVENTS = 250;

/** `hel run --once` of EVENTS events into `server` with `nats` as global.output.nats; debug logs, so a leak would show. */
async function runInto(
  t: { after(fn: () => unknown): void },
  dir: string,
  server: NatsServer,
  nats: Record<string, unknown>,
  extra: { global?: Record<string, unknown>; env?: Record<string, string> } = {},
) {
  const api = await fakeApi(t, cursorFeed(makeEvents(EVENTS), 100));
  const config = writeConfig(dir, {
    global: { ...extra.global, output: { nats: { subject: 'audit.{source}', timeout_secs: 5, ...nats } } },
    sources: {
      op: {
        url: `${api.url}/api/v2/events`,
        method: 'post',
        body: { limit: 100 },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace' },
        dedupe: { id_path: 'uuid' },
      },
    },
  });
  return hel(['run', '--once', '-c', config, '--output', server.url, '--state', join(dir, 'state.db')], { env: { HEL_LOG_LEVEL: 'debug', ...extra.env }, timeoutMs: 60_000 });
}

async function streamCount(server: NatsServer, options: Partial<ConnectionOptions>): Promise<number> {
  return (await readStream(server.url, 'HEL', options)).length;
}

function assertNoLeak(output: string, ...values: string[]): void {
  for (const v of values) assert.ok(!output.includes(v), 'a credential appears in the output');
}

test('NATS user and password (user from a file, password from the environment): delivered; a wrong password stops hel with the fix and is never shown', async (t) => {
  const password = plaintextCanary();
  const server = await startNatsServer(t, { config: `authorization { users = [ { user: "hel", password: "${password}" } ] }\n` });
  const dir = tempDir(t);
  writeFileSync(join(dir, 'nats.user'), 'hel\n');
  const auth = { type: 'user_password', user_file: join(dir, 'nats.user'), password_env: 'HEL_NATS_PASSWORD' };

  const ok = await runInto(t, dir, server, { auth }, { env: { HEL_NATS_PASSWORD: password } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await streamCount(server, { user: 'hel', pass: password }), EVENTS);
  assertNoLeak(ok.stdout + ok.stderr, password);

  const wrong = plaintextCanary();
  const refused = await runInto(t, tempDir(t), server, { auth }, { env: { HEL_NATS_PASSWORD: wrong } });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /nats:\/\/127\.0\.0\.1:\d+ refused the credentials/);
  assert.match(refused.stderr, /global\.output\.nats\.auth/);
  assertNoLeak(refused.stdout + refused.stderr, wrong, password);

  const unset = await runInto(t, tempDir(t), server, { auth }, { env: {} });
  assert.notEqual(unset.code, 0);
  assert.match(unset.stderr, /HEL_NATS_PASSWORD is not set/);
});

test('NATS token from `hel secrets`: delivered, never shown', async (t) => {
  const token = plaintextCanary();
  const server = await startNatsServer(t, { config: `authorization { token: "${token}" }\n` });
  const dir = tempDir(t);
  const store = join(dir, 'secrets.enc');
  const env = { HEL_MASTER_KEY: MASTER_KEY, HEL_MASTER_KEY_FILE: undefined as unknown as string };
  const set = await hel(['secrets', 'set', 'nats_token', '--file', store], { env, input: `${token}\n` });
  assert.equal(set.code, 0, set.stderr);

  const ok = await runInto(t, dir, server, { auth: { type: 'token', token_secret: 'nats_token' } }, { global: { secrets: { path: store } }, env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await streamCount(server, { token }), EVENTS);
  assertNoLeak(ok.stdout + ok.stderr, token);
});

test('NATS NKey: the user seed from a file signs the server nonce; an account seed is refused at start without showing it', async (t) => {
  const user = nkeys.createUser();
  const seed = new TextDecoder().decode(user.getSeed());
  const server = await startNatsServer(t, { config: `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n` });
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hel.nk'), `${seed}\n`);

  const ok = await runInto(t, dir, server, { auth: { type: 'nkey', seed_file: join(dir, 'hel.nk') } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await streamCount(server, { authenticator: nkeyAuthenticator(user.getSeed()) }), EVENTS);
  assertNoLeak(ok.stdout + ok.stderr, seed);

  const account = new TextDecoder().decode(nkeys.createAccount().getSeed());
  writeFileSync(join(dir, 'account.nk'), account);
  const wrong = await runInto(t, tempDir(t), server, { auth: { type: 'nkey', seed_file: join(dir, 'account.nk') } });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /the NATS NKey seed is not a user seed/);
  assertNoLeak(wrong.stdout + wrong.stderr, account);
});

test('NATS over TLS with a private CA and a client certificate (server verify: true); trusting another CA fails with the fix', async (t) => {
  const dir = tempDir(t);
  const certs = makeCertificates(dir);
  const password = plaintextCanary();
  const server = await startNatsServer(t, {
    config: [
      `tls { cert_file: "${certs.serverCert}", key_file: "${certs.serverKey}", ca_file: "${certs.ca}", verify: true, timeout: 5 }`,
      `authorization { users = [ { user: "hel", password: "${password}" } ] }`,
      '',
    ].join('\n'),
  });
  const auth = { type: 'user_password', user_env: 'HEL_NATS_USER', password_env: 'HEL_NATS_PASSWORD' };
  const env = { HEL_NATS_USER: 'hel', HEL_NATS_PASSWORD: password };
  const tls = { ca_file: certs.ca, cert_file: certs.clientCert, key_file: certs.clientKey };

  const ok = await runInto(t, tempDir(t), server, { auth, tls }, { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await streamCount(server, { user: 'hel', pass: password, tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey } }), EVENTS);
  assertNoLeak(ok.stdout + ok.stderr, password);

  const untrusted = await runInto(t, tempDir(t), server, { auth, tls: { ...tls, ca_file: certs.otherCa } }, { env });
  assert.equal(untrusted.code, 1, untrusted.stderr);
  assert.match(untrusted.stderr, /TLS to nats:\/\/127\.0\.0\.1:\d+ failed/);
  assert.match(untrusted.stderr, /ca_file/);
  assertNoLeak(untrusted.stdout + untrusted.stderr, password);
});

test('NATS creds file (decentralized JWT auth, nats-server in operator mode): delivered; a file without the blocks is refused without showing it', async (t) => {
  const mode = operatorMode();
  const server = await startNatsServer(t, { config: mode.config });
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hel.creds'), mode.creds);

  const ok = await runInto(t, dir, server, { auth: { type: 'creds', creds_file: join(dir, 'hel.creds') } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await streamCount(server, { authenticator: credsAuthenticator(new TextEncoder().encode(mode.creds)) }), EVENTS);
  assertNoLeak(ok.stdout + ok.stderr, mode.userSeed);

  writeFileSync(join(dir, 'seed-only.creds'), `${mode.userSeed}\n`);
  const broken = await runInto(t, tempDir(t), server, { auth: { type: 'creds', creds_file: join(dir, 'seed-only.creds') } });
  assert.notEqual(broken.code, 0);
  assert.match(broken.stderr, /the NATS creds file has no user JWT and NKey seed blocks/);
  assertNoLeak(broken.stdout + broken.stderr, mode.userSeed);
});
