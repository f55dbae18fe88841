import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ENSURE = fileURLToPath(new URL('../../../scripts/ensure-postgres.sh', import.meta.url));

/** PostgreSQL refuses to run as root, and CI runs as root: the cluster then belongs to `nobody`. */
const NOBODY = 65534;

export interface PgCluster {
  /** A URL for the `postgres` database (superuser `hel`, trust auth on loopback). */
  adminUrl: string;
  port: number;
  /** A fresh, empty database in the cluster; its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway cluster: initdb into a temporary directory, postgres on a loopback port (and a Unix
 * socket in that directory), removed by `stop`. `durable: false` turns fsync off for speed; the
 * bench keeps it on to measure real commits.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PgCluster> {
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
    execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'hel', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], { ...ids, stdio: 'pipe', cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? String(err)}`, { cause: err });
  }
  const port = await freePort();
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'max_connections=200', '-c', 'shared_buffers=32MB'];
  if (!options.durable) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const server: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), ...settings], { ...ids, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
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
    await waitReady(adminUrl, () => server.exitCode !== null, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  let n = 0;
  return {
    adminUrl,
    port,
    async createDatabase() {
      const name = `hel_test_${process.pid}_${++n}`;
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
