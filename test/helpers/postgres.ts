import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './loopback.js';
import type { TestCertificates } from './test-certs.js';

const ENSURE = fileURLToPath(new URL('../../../scripts/ensure-postgres.sh', import.meta.url));

/** PostgreSQL refuses to run as root, and CI runs as root: the cluster then belongs to `nobody`. */
const NOBODY = 65534;

export interface PgCluster {
  /** A URL for the `postgres` database (superuser `hel`, trust auth on loopback). */
  adminUrl: string;
  port: number;
  /** A fresh, empty database in the cluster (named `name`, else a generated name); its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

/** With `tls`, a database of this name takes only clients presenting a certificate of the test CA. */
export const CLIENT_CERT_DATABASE = 'hel_client_cert';

/**
 * A throwaway cluster: initdb into a temporary directory, postgres on a loopback port (and a Unix
 * socket in that directory), removed by `stop`. `durable: false` turns fsync off for speed; the
 * bench keeps it on to measure real commits. With `tls`, ssl is on and every database but
 * `postgres` (the admin one) refuses connections without TLS; CLIENT_CERT_DATABASE also wants a
 * client certificate.
 */
export async function startPostgres(options: { durable?: boolean; tls?: TestCertificates } = {}): Promise<PgCluster> {
  const bin = execFileSync('sh', [ENSURE], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'hel-pg-'));
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
  if (asRoot) {
    chownSync(dir, NOBODY, NOBODY);
    chmodSync(dir, 0o700);
  }
  const data = join(dir, 'data');
  try {
    execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'hel', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
      ...ids,
      stdio: 'pipe',
      cwd: dir,
      env: { ...process.env, LC_ALL: 'C' },
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? String(err)}`, { cause: err });
  }
  const port = await freePort();
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'max_connections=200', '-c', 'shared_buffers=32MB'];
  if (!options.durable) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  if (options.tls) settings.push(...tlsSettings(dir, options.tls, asRoot));
  const server: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), ...settings], {
    ...ids,
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  let log = '';
  server.stderr?.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()));
  const adminUrl = `postgres://hel@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(
      adminUrl,
      () => server.exitCode !== null,
      () => log,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  let n = 0;
  return {
    adminUrl,
    port,
    async createDatabase(wanted?: string) {
      const name = wanted ?? `hel_test_${process.pid}_${++n}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://hel@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

/** The server's certificate, key and CA in the cluster directory (the key readable by the server's user only), and an hba file requiring TLS. */
function tlsSettings(dir: string, certs: TestCertificates, asRoot: boolean): string[] {
  const place = (from: string, name: string): string => {
    const to = join(dir, name);
    copyFileSync(from, to);
    chmodSync(to, 0o600);
    if (asRoot) chownSync(to, NOBODY, NOBODY);
    return to;
  };
  const hba = join(dir, 'pg_hba.conf');
  writeFileSync(
    hba,
    ['local all all trust', 'host postgres all 127.0.0.1/32 trust', `hostssl ${CLIENT_CERT_DATABASE} all 127.0.0.1/32 trust clientcert=verify-ca`, 'hostssl all all 127.0.0.1/32 trust', ''].join('\n'),
  );
  if (asRoot) chownSync(hba, NOBODY, NOBODY);
  return [
    '-c',
    'ssl=on',
    '-c',
    `ssl_cert_file=${place(certs.serverCert, 'server.crt')}`,
    '-c',
    `ssl_key_file=${place(certs.serverKey, 'server.key')}`,
    '-c',
    `ssl_ca_file=${place(certs.ca, 'ca.crt')}`,
    '-c',
    `hba_file=${hba}`,
  ];
}

async function waitReady(url: string, died: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (died()) throw new Error(`postgres exited while starting:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
