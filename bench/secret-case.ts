import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setSecret } from '../src/secrets/store.js';
import { runHelWith, type HelRun } from './hel-cases.js';
import type { BenchServer } from './server-process.js';

/**
 * Issue 20: a source whose bearer token lives in the encrypted store (`token_secret`), next to
 * the same source reading it from the environment. With a passphrase the store's key costs a
 * scrypt run (~100 ms); the resolver derives it once per version of the file, so the stored
 * token must page as fast as the environment one. The raw-key run shows the store without scrypt.
 */
export interface SecretCase {
  events: number;
  limit: number;
  env: HelRun;
  passphrase: HelRun;
  rawKey: HelRun;
  /** Events per second of the passphrase-store run over the environment run (1.0 = no cost). */
  passphraseVsEnv: number;
}

const TOKEN_NAME = 'bench_token';

export async function runSecretCase(server: BenchServer, dir: string, plan: { events: number; limit: number }, log: (line: string) => void): Promise<SecretCase> {
  const work = join(dir, 'secret');
  mkdirSync(work, { recursive: true });
  try {
    const store = (kind: string, key: string) => {
      const keyFile = join(work, `${kind}.key`);
      const path = join(work, `${kind}.enc`);
      writeFileSync(keyFile, key, { mode: 0o600 });
      setSecret(TOKEN_NAME, 'bench-token', { path, env: {}, keyFile });
      return { path, key_file: keyFile };
    };
    const passphrase = store('passphrase', 'correct horse battery staple, bench edition');
    const rawKey = store('raw', randomBytes(32).toString('hex'));
    const run = async (tag: string, auth: Record<string, unknown>, secrets?: Record<string, unknown>): Promise<HelRun> => {
      log(`hel run --once: ${plan.events} events, ${plan.events / plan.limit} pages, token ${tag}`);
      return runHelWith(
        server,
        work,
        `secret-${tag}`,
        (statePath) => ({
          global: { log_level: 'warn', log_format: 'json', state: { path: statePath }, ...(secrets ? { secrets } : {}) },
          sources: {
            audit: {
              url: `${server.url}/b/${plan.events}/secret-${tag}/api/v2/auditevents`,
              method: 'post',
              body: { limit: plan.limit },
              headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
              auth: { type: 'bearer', ...auth },
              pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', has_more_path: 'has_more', cursor_in_body: 'replace', max_pages: plan.events / plan.limit + 10 },
              dedupe: { id_path: 'uuid', capacity: 100_000 },
              timestamp_path: 'timestamp',
            },
          },
        }),
        plan.events,
      );
    };
    const env = await run('env', { token_env: 'HEL_BENCH_TOKEN' });
    const stored = await run('passphrase', { token_secret: TOKEN_NAME }, passphrase);
    const raw = await run('raw-key', { token_secret: TOKEN_NAME }, rawKey);
    return { ...plan, env, passphrase: stored, rawKey: raw, passphraseVsEnv: stored.eventsPerSec / env.eventsPerSec };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function renderSecretCase(c: SecretCase): string {
  // CPU time is the steadiest figure on a shared machine: wall time waits for the other tenants.
  const cpu = (r: HelRun) => (r.cpuMs === undefined ? '—' : `${(r.cpuMs / 1000).toFixed(1)} s CPU`);
  const line = (name: string, r: HelRun) =>
    `${name.padEnd(26)} ${Math.round(r.eventsPerSec).toLocaleString('en-US').padStart(9)} events/s  ${(r.wallMs / 1000).toFixed(2).padStart(7)} s  ${cpu(r).padStart(10)}  ${r.peakRssMb.toFixed(1).padStart(6)} MB`;
  return [
    `${c.events} events in pages of ${c.limit} (${c.events / c.limit} requests)`,
    line('token_env', c.env),
    line('token_secret, passphrase', c.passphrase),
    line('token_secret, raw key', c.rawKey),
    `passphrase store vs environment: ${c.passphraseVsEnv.toFixed(2)}x`,
  ].join('\n');
}
