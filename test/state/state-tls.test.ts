import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { isHelError } from '../../src/errors.js';
import { PostgresStateStore } from '../../src/state/postgres/store.js';
import { RedisStateStore } from '../../src/state/redis/store.js';
import type { StateConfig } from '../../src/state/postgres/connect.js';
import { hel, writeConfig } from '../helpers/hel-process.js';
import { CLIENT_CERT_DATABASE, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { makeCertificates, type TestCertificates } from '../helpers/test-certs.js';
import { tempDir } from '../helpers/tmp.js';

// global.state.tls against a real PostgreSQL with ssl on, with a CA and certificates made by the test.

type Tls = NonNullable<StateConfig['tls']>;
const tlsOf = (keys: Partial<Tls>): Tls => ({ reject_unauthorized: true, ...keys });

async function openError(
  url: string,
  tls: Tls | undefined,
  open: (url: string, tls: Tls | undefined) => Promise<{ close(): Promise<void> }> = PostgresStateStore.open.bind(PostgresStateStore),
): Promise<string> {
  try {
    const store = await open(url, tls);
    await store.close();
  } catch (err) {
    assert.ok(isHelError(err), String(err));
    return `${err.code}: ${err.message}`;
  }
  return assert.fail('expected the connection to be refused');
}

/** Whether the store's own connections to the database are encrypted, as the server sees them. */
async function encrypted(adminUrl: string, database: string): Promise<boolean[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const rows = await client.query<{ ssl: boolean }>(`SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = $1 AND a.application_name = 'hel'`, [database]);
    return rows.rows.map((r) => r.ssl);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL state over TLS (global.state.tls)', { timeout: 120_000 }, () => {
  let cluster: PgCluster;
  let certs: TestCertificates;
  let certDir: string;
  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'hel-certs-'));
    certs = makeCertificates(certDir, { serverAltNames: 'DNS:localhost' });
    cluster = await startPostgres({ tls: certs });
  });
  after(async () => {
    await cluster?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  test('verifies the server against ca_file and server_name; every connection is encrypted; a plain one is refused', async () => {
    const url = await cluster.createDatabase();
    const database = new URL(url).pathname.slice(1);
    assert.match(await openError(url, undefined), /HEL_STATE: cannot open the PostgreSQL state at postgres:\/\/127\.0\.0\.1:\d+\/\w+: .*no encryption/);

    const store = await PostgresStateStore.open(url, tlsOf({ ca_file: certs.ca, server_name: 'localhost' }));
    try {
      const lease = (await store.acquire('src', 'tls-test', 60_000))!;
      await store.commitFenced('src', { keys: { cursor: 'c1' } }, lease);
      assert.deepEqual((await store.load('src')).keys, { cursor: 'c1' });
      const seen = await encrypted(cluster.adminUrl, database);
      assert.ok(seen.length > 0 && seen.every(Boolean), `hel's connections as the server sees them: ${JSON.stringify(seen)}`);
    } finally {
      await store.close();
    }
  });

  test('refuses a server its CA did not sign, and a certificate for another name, unless reject_unauthorized is false', async () => {
    const url = await cluster.createDatabase();
    assert.match(await openError(url, tlsOf({ ca_file: certs.otherCa, server_name: 'localhost' })), /HEL_STATE: .*(self[- ]signed|unable to verify|unable to get local issuer)/i);
    // The certificate names localhost only; the URL's host is 127.0.0.1.
    assert.match(await openError(url, tlsOf({ ca_file: certs.ca })), /HEL_STATE: .*(does not match|altnames)/i);
    const trusting = await PostgresStateStore.open(url, tlsOf({ reject_unauthorized: false }));
    await trusting.close();
  });

  test("the URL's sslmode=verify-full and the tls keys together: the keys add the CA instead of being replaced", async () => {
    const url = await cluster.createDatabase();
    const store = await PostgresStateStore.open(`${url}?sslmode=verify-full`, tlsOf({ ca_file: certs.ca, server_name: 'localhost' }));
    await store.close();
    assert.match(await openError(`${url}?sslmode=disable`, tlsOf({ ca_file: certs.ca })), /HEL_CONFIG: global\.state\.tls is set but global\.state\.url says sslmode=disable/);
  });

  test('a client certificate (cert_file, key_file) for a database that requires one', async () => {
    const url = await cluster.createDatabase(CLIENT_CERT_DATABASE);
    const server = { ca_file: certs.ca, server_name: 'localhost' };
    assert.match(await openError(url, tlsOf(server)), /HEL_STATE: .*(certificate|no pg_hba)/i);
    const store = await PostgresStateStore.open(url, tlsOf({ ...server, cert_file: certs.clientCert, key_file: certs.clientKey }));
    await store.close();
    assert.match(await openError(url, tlsOf({ ...server, cert_file: certs.clientCert })), /HEL_CONFIG: global\.state\.tls needs both cert_file and key_file/);
  });

  test('the CLI: hel state show over TLS, and a clear config error for a missing CA file', async (t) => {
    const dir = tempDir(t);
    const url = await cluster.createDatabase();
    const config = (tls: Record<string, unknown>) =>
      writeConfig(dir, { global: { state: { backend: 'postgres', url_env: 'HEL_TEST_STATE_URL', tls } }, sources: { src: { url: 'http://127.0.0.1:9/x' } } });
    const env = { HEL_TEST_STATE_URL: url };
    const shown = await hel(['state', 'show', '--json', '-c', config({ ca_file: certs.ca, server_name: 'localhost' })], { env });
    assert.equal(shown.code, 0, shown.stderr);
    const missing = await hel(['state', 'show', '-c', config({ ca_file: `${dir}/no-such-ca.crt` })], { env });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot read global\.state\.tls\.ca_file .*no-such-ca\.crt \(ENOENT\)/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  });
});

describe('Redis state over TLS (rediss:// and global.state.tls)', { timeout: 120_000 }, () => {
  let server: RedisServer;
  let certs: TestCertificates;
  let certDir: string;
  const open = RedisStateStore.open.bind(RedisStateStore);
  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'hel-certs-'));
    certs = makeCertificates(certDir, { serverAltNames: 'DNS:localhost' });
    server = await startRedis({ tls: certs });
  });
  after(async () => {
    await server?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  test('verifies the server against ca_file and server_name and presents the client certificate; leases and fenced commits work over it', async () => {
    const url = await server.createDatabase();
    const store = await RedisStateStore.open(url, tlsOf({ ca_file: certs.ca, server_name: 'localhost', cert_file: certs.clientCert, key_file: certs.clientKey }));
    try {
      const lease = (await store.acquire('src', 'tls-test', 60_000))!;
      await store.commitFenced('src', { keys: { cursor: 'c1' } }, lease);
      assert.deepEqual((await store.load('src')).keys, { cursor: 'c1' });
    } finally {
      await store.close();
    }
  });

  test('refuses a server its CA did not sign, a certificate for another name, a client without a certificate, and plain redis://', async () => {
    const url = await server.createDatabase();
    const client = { cert_file: certs.clientCert, key_file: certs.clientKey };
    assert.match(
      await openError(url, tlsOf({ ...client, ca_file: certs.otherCa, server_name: 'localhost' }), open),
      /HEL_STATE: cannot open the Redis state at rediss:\/\/127\.0\.0\.1:\d+\/\d+: .*(self[- ]signed|unable to verify|unable to get local issuer)/i,
    );
    assert.match(await openError(url, tlsOf({ ...client, ca_file: certs.ca }), open), /HEL_STATE: .*(does not match|altnames)/i);
    assert.match(await openError(url, tlsOf({ ca_file: certs.ca, server_name: 'localhost' }), open), /HEL_STATE: cannot open the Redis state/);
    assert.match(await openError(url.replace('rediss://', 'redis://'), undefined, open), /HEL_STATE: cannot open the Redis state/);
  });
});
