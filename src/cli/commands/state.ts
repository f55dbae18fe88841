import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig, type LoadedConfig } from '../../config/load.js';
import { HelError } from '../../errors.js';
import { isStateExport, type StateStore } from '../../state/store.js';
import { SqliteStateStore } from '../../state/sqlite.js';
import { isSharedStore, type LeaseInfo } from '../../state/lease.js';
import { configPath } from '../config-path.js';
import { openStore } from '../open-runtime.js';

interface StateFlags {
  config?: string;
  state?: string;
}

/** The state file: --state, else global.state.path of the config (secrets are not needed here). */
function statePath(flags: StateFlags): { path: string; known: string[] | undefined; config?: LoadedConfig } {
  if (flags.state !== undefined) return { path: flags.state, known: undefined };
  const file = configPath(flags.config);
  if (!existsSync(file) && flags.config === undefined) return { path: './hel-state.db', known: undefined };
  const config = loadConfig(file, { requireSecrets: false });
  return { path: config.global.state.path, known: config.sources.map((s) => s.name), config };
}

/** A shared backend (PostgreSQL) is opened as instances open it: no exclusive lock, writes revoke the source's lease. */
async function withStore<T>(flags: StateFlags, write: boolean, fn: (store: StateStore, known: string[] | undefined) => Promise<T>): Promise<T> {
  const { path, known, config } = statePath(flags);
  const shared = config !== undefined && (config.global.state.backend === 'postgres' || config.global.state.backend === 'redis');
  if (!shared && !write && !existsSync(path)) throw new HelError('HEL_STATE', `no state file at ${path}`, { hint: 'hel run creates it; pass --state PATH or --config to point at another' });
  const store = shared ? await openStore(config, {}, false, config.secrets) : new SqliteStateStore(path, { exclusive: write });
  try {
    return await fn(store, known);
  } finally {
    await store.close();
  }
}

function leaseJson(lease: LeaseInfo | undefined): Record<string, unknown> {
  return { owner: lease?.owner ?? null, lease_expires_at: lease?.expiresAt == null ? null : new Date(lease.expiresAt).toISOString(), lease_token: lease?.token ?? null };
}

function requireKnown(name: string, known: string[] | undefined, stored: string[]): void {
  if (known && !known.includes(name) && !stored.includes(name)) {
    throw new HelError('HEL_USAGE', `no source named ${name}`, { hint: `sources: ${known.join(', ')}` });
  }
}

function option(cmd: Command): Command {
  return cmd.option('-c, --config <path>', 'config file (for global.state.path)').option('--state <path>', 'state file (default: from config, else ./hel-state.db)');
}

export function registerStateCommand(program: Command): void {
  // The options also go before the verb, Helr's order: hel state --config F set SOURCE KEY VALUE.
  const state = option(program.command('state').description('inspect or change saved cursors and dedupe windows'));
  const withParent = <T extends StateFlags>(flags: T): T => ({ ...state.opts<StateFlags>(), ...flags });

  option(state.command('show').argument('[source]', 'one source (default: all)'))
    .description('print saved state: cursor / next URL, last success, last error, circuit, dedupe window size')
    .option('--json', 'print JSON')
    .action(async (source: string | undefined, flags: StateFlags & { json?: boolean }) => {
      await withStore(withParent(flags), false, async (store, known) => {
        const stored = await store.sources();
        if (source !== undefined) requireKnown(source, known, stored);
        const names = source !== undefined ? [source] : [...new Set([...(known ?? []), ...stored])];
        const out: Record<string, unknown> = {};
        const leases = isSharedStore(store) ? new Map((await store.leasing.leases()).map((l) => [l.source, l])) : undefined;
        for (const name of names) {
          const snap = await store.load(name);
          const breaker = snap.keys.breaker ? storedBreaker(snap.keys.breaker) : undefined;
          const { breaker: _omit, ...keys } = snap.keys;
          out[name] = { ...keys, ...(breaker ? { circuit: breaker } : {}), dedupe_window: snap.dedupeIds.length, ...(leases ? leaseJson(leases.get(name)) : {}) };
        }
        if (flags.json) {
          process.stdout.write(JSON.stringify(out, null, 2) + '\n');
          return;
        }
        for (const [name, entry] of Object.entries(out)) {
          process.stdout.write(`${name}\n`);
          for (const [k, v] of Object.entries(entry as Record<string, unknown>)) process.stdout.write(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
        }
      });
    });

  option(state.command('reset').argument('<source>'))
    .description("forget a source's cursor, dedupe window and counters: its next poll starts afresh")
    .action(async (source: string, flags: StateFlags) => {
      await withStore(withParent(flags), true, async (store, known) => {
        requireKnown(source, known, await store.sources());
        await store.reset(source);
        process.stderr.write(`state of ${source} reset\n`);
      });
    });

  option(state.command('set').argument('<source>').argument('<key>').argument('<value>'))
    .description('set one state key, e.g. hel state set okta-audit next_url "https://..."')
    .action(async (source: string, key: string, value: string, flags: StateFlags) => {
      await withStore(withParent(flags), true, async (store, known) => {
        requireKnown(source, known, await store.sources());
        await store.commit(source, { keys: { [key]: value } });
        process.stderr.write(`${source}.${key} set\n`);
      });
    });

  option(state.command('export'))
    .description('write all state as JSON to stdout')
    .action(async (flags: StateFlags) => {
      await withStore(withParent(flags), false, async (store) => {
        process.stdout.write(JSON.stringify(await store.exportAll(), null, 2) + '\n');
      });
    });

  option(state.command('import'))
    .description("read state JSON (as written by export) from stdin, replacing those sources' state")
    .action(async (flags: StateFlags) => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      let data: unknown;
      try {
        data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        throw new HelError('HEL_INPUT', `state import: stdin is not JSON (${(err as Error).message})`, { hint: 'pipe in the output of hel state export' });
      }
      if (!isStateExport(data)) throw new HelError('HEL_INPUT', 'state import: expected {"<source>": {"keys": {...}, "dedupe_ids": [...]}}', { hint: 'pipe in the output of hel state export' });
      await withStore(withParent(flags), true, async (store) => {
        await store.importAll(data);
        process.stderr.write(`imported state of ${Object.keys(data).length} source(s)\n`);
      });
    });
}

/** The saved breaker snapshot; a damaged one is shown as saved, so it can be inspected and set right. */
function storedBreaker(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
