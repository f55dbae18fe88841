/**
 * Events/s through the NATS JetStream sink: `hel run --once` from the bench server into a throwaway
 * `nats-server -js` (Debian's, installed by scripts/ensure-nats-server.sh), every PubAck awaited.
 * Run alone with `node dist/bench/nats-case.js [--events N]`; `npm run bench` runs it with the rest.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { HEL_BIN, writeHelConfig, type HelRun } from './hel-cases.js';
import { measure } from './measure.js';
import { diffStats, startServer, type BenchServer } from './server-process.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const NATS_SERVER = '/usr/sbin/nats-server';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `hel run --once` over `events` 1Password-style events (pages of 1000) into JetStream. */
export async function runHelJetStream(server: BenchServer, dir: string, events: number): Promise<HelRun> {
  execFileSync('sh', [join(REPO, 'scripts/ensure-nats-server.sh')], { stdio: 'inherit' });
  const store = mkdtempSync(join(dir, 'nats-'));
  const port = await freePort();
  const nats = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let log = '';
      nats.stderr.setEncoding('utf8').on('data', (d: string) => {
        log += d;
        if (log.includes('Server is ready')) resolve();
      });
      nats.once('exit', (code) => reject(new Error(`nats-server exited with ${code}:\n${log}`)));
    });
    nats.stderr.resume();
    const config = join(dir, 'jetstream.yaml');
    const state = join(dir, 'jetstream-state.db');
    writeHelConfig(config, server, [{ name: 'onepassword-audit', events, limit: 1000 }], state);
    const before = await server.stats();
    const m = await measure(HEL_BIN, ['run', '--once', '--config', config, '--output', `nats://127.0.0.1:${port}`, '--state', state], {
      env: { HEL_BENCH_TOKEN: 'bench-token' },
      timeoutMs: 15 * 60_000,
      dir,
      probe: true,
    });
    const served = diffStats(await server.stats(), before);
    if (m.code !== 0) throw new Error(`hel run --once (jetstream) exited with ${m.code}:\n${m.stderr.slice(-2000)}`);
    const nc = await connect({ servers: `127.0.0.1:${port}` });
    const stored = (await (await jetstreamManager(nc)).streams.info('HEL')).state.messages;
    await nc.close();
    if (stored !== events) throw new Error(`the stream holds ${stored} messages, expected ${events}`);
    return { events: stored, requests: served.requests, wallMs: m.wallMs, eventsPerSec: (stored / m.wallMs) * 1000, peakRssMb: m.peakRssMb, cpuMs: m.cpuMs };
  } finally {
    // nats-server flushes its store while it shuts down: remove the store only once it has exited.
    if (nats.exitCode === null && nats.signalCode === null) {
      const exited = new Promise<void>((resolve) => nats.once('exit', () => resolve()));
      nats.kill('SIGTERM');
      await exited;
    }
    rmSync(store, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' } } });
  const events = Number(values.events);
  const dir = mkdtempSync(join(tmpdir(), 'hel-bench-nats-'));
  const server = await startServer();
  try {
    const run = await runHelJetStream(server, dir, events);
    process.stdout.write(
      `hel run --once → JetStream: ${run.events} events in ${(run.wallMs / 1000).toFixed(2)} s = ${Math.round(run.eventsPerSec)} events/s, peak RSS ${run.peakRssMb.toFixed(1)} MB\n`,
    );
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
