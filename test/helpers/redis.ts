import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from './loopback.js';
import type { TestCertificates } from './test-certs.js';

const ENSURE = fileURLToPath(new URL('../../../scripts/ensure-redis.sh', import.meta.url));

export interface RedisServer {
  port: number;
  /** A URL for a database of its own (0-15), flushed first. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server on a loopback port with its files in a temporary directory, removed by
 * `stop`. With `tls`, the port speaks TLS only (Debian's redis-server is built with it) and every
 * client must present a certificate of the test CA.
 */
export async function startRedis(options: { tls?: TestCertificates } = {}): Promise<RedisServer> {
  const bin = execFileSync('sh', [ENSURE], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'hel-redis-'));
  const port = await freePort();
  const certs = options.tls;
  const listen = certs
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'yes']
    : ['--port', String(port)];
  const server = spawn(bin, [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const tls = certs && { ca: readFileSync(certs.ca, 'utf8'), cert: readFileSync(certs.clientCert, 'utf8'), key: readFileSync(certs.clientKey, 'utf8'), servername: 'localhost' };
  let log = '';
  server.stdout.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', tls, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      break;
    } catch {
      client.disconnect();
      if (server.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  let n = 0;
  return {
    port,
    async createDatabase() {
      const db = ++n;
      if (db > 15) throw new Error('a test Redis server has 16 databases');
      const client = new Redis({ port, host: '127.0.0.1', db, tls });
      await client.flushdb();
      client.disconnect();
      return `${certs ? 'rediss' : 'redis'}://127.0.0.1:${port}/${db}`;
    },
    stop,
  };
}
