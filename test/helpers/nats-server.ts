import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './loopback.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export const NATS_SERVER = '/usr/sbin/nats-server';

/** Installs Debian's nats-server through the project's script when it is missing (once per test process). */
export function ensureNatsServer(): void {
  try {
    execFileSync('sh', [join(REPO, 'scripts/ensure-nats-server.sh')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`the NATS tests need ${NATS_SERVER}; scripts/ensure-nats-server.sh could not provide it: ${stderr || String(err)}`, { cause: err });
  }
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** The JetStream store directory (kept across stop/start). */
  readonly storeDir: string;
  /** Stops the server (SIGTERM, then waits for it to exit); the store is kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1 (nats-server binds it itself). */
/**
 * A throwaway `nats-server -js` on a loopback port with its store in a temporary directory; stopped
 * and removed when the test ends. `config` is nats-server configuration text (an `authorization`
 * or `tls` block) for a server that requires credentials or TLS.
 */
export async function startNatsServer(t: { after(fn: () => unknown): void }, options: { config?: string } = {}): Promise<NatsServer> {
  ensureNatsServer();
  const storeDir = mkdtempSync(join(tmpdir(), 'hel-nats-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir];
  if (options.config !== undefined) {
    const conf = join(storeDir, 'server.conf');
    writeFileSync(conf, options.config);
    args.push('-c', conf);
  }

  const start = async (): Promise<void> => {
    const proc = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not become ready in 20 s:\n${log}`)), 20_000);
      proc.stderr.setEncoding('utf8').on('data', (d: string) => {
        log += d;
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${log}`));
      });
    });
    // Keep draining its log so the pipe never fills.
    proc.stderr.resume();
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await exited;
  };

  t.after(async () => {
    await stop();
    rmSync(storeDir, { recursive: true, force: true });
  });
  await start();
  return { url: `nats://127.0.0.1:${port}`, port, storeDir, stop, start };
}
