import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { HelError } from '../../errors.js';
import type { BudgetLedger, BudgetTake, BudgetWindow } from '../../resilience/budget.js';
import { leaseLost, type Lease, type LeaseGrant, type LeaseInfo, type LeaseStore, type SharedStateStore } from '../lease.js';
import { describeUrl, tlsOptions, type StateConfig } from '../postgres/connect.js';
import { exportState, type Checkpoint, type SourceSnapshot, type StateExport } from '../store.js';
import * as lua from './scripts.js';

/** Every key Hel writes starts with this, so a Redis shared with other applications stays tidy. */
const PREFIX = 'hel:';
/** As in PostgreSQL: an instance killed mid-request holds its budget slot this long at most. */
const IN_FLIGHT_CAP_MS = 300_000;

type Scripts = Record<keyof typeof lua, (...args: (string | number)[]) => Promise<unknown>>;

function writeArgs(checkpoint: Checkpoint): (string | number)[] {
  const set = Object.entries(checkpoint.keys).filter((e): e is [string, string] => e[1] !== null);
  const removed = Object.entries(checkpoint.keys)
    .filter(([, v]) => v === null)
    .map(([k]) => k);
  const cap = checkpoint.dedupeCapacity ?? 0;
  const all = checkpoint.dedupeIds ?? [];
  const ids = cap > 0 && all.length > cap ? all.slice(-cap) : all;
  return [set.length, ...set.flat(), removed.length, ...removed, cap, ids.length, ...ids];
}

/**
 * The Redis backend, with the guarantees of the PostgreSQL one: every check-and-write (fenced
 * checkpoint, lease grant, budget take) is one Lua script, which Redis runs atomically. Durability
 * is Redis's own: with `appendonly yes` and `appendfsync always` a checkpoint survives a crash of
 * the server; with less, a crash can undo recent checkpoints (pages delivered again, none lost).
 */
export class RedisStateStore implements SharedStateStore, LeaseStore, BudgetLedger {
  readonly description: string;
  readonly leasing: LeaseStore = this;
  readonly budgets: BudgetLedger = this;
  private ok = true;
  private readonly scripts: Scripts;
  private readonly leaseScripts: Scripts;

  private constructor(
    private readonly redis: Redis,
    /** Heartbeats and renewals on a connection of their own, as in PostgreSQL. */
    private readonly leaseRedis: Redis,
    where: string,
  ) {
    this.description = `redis ${where}`;
    for (const client of [redis, leaseRedis]) {
      for (const [name, script] of Object.entries(lua)) client.defineCommand(name, { numberOfKeys: 0, lua: script });
      client.on('error', () => {
        this.ok = false;
      });
    }
    this.scripts = this.bind(redis);
    this.leaseScripts = this.bind(leaseRedis);
  }

  static async open(url: string, tls: StateConfig['tls']): Promise<RedisStateStore> {
    const where = describeUrl(url);
    // A rediss:// URL alone turns TLS on with the system's CAs; global.state.tls adds a CA, a client certificate, a server name.
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 10_000, tls: tlsOptions(tls) };
    const redis = new Redis(url, options);
    const leaseRedis = new Redis(url, options);
    // ioredis reports why a connection failed (a TLS verification error, a refused port) as an
    // event and rejects connect() with only "Connection is closed": the event's error is the one to show.
    let why: Error | undefined;
    const record = (err: Error): void => {
      why ??= err;
    };
    for (const client of [redis, leaseRedis]) client.on('error', record);
    try {
      await redis.connect();
      await leaseRedis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      leaseRedis.disconnect();
      const cause = why ?? (err as Error);
      throw new HelError(
        'HEL_STATE',
        `cannot open the Redis state at ${where}: ${cause.message}`,
        { hint: 'check global.state.url (host, port, password, database; rediss:// for TLS), global.state.tls, and that the server accepts connections from here' },
        { cause },
      );
    } finally {
      for (const client of [redis, leaseRedis]) client.off('error', record);
    }
    return new RedisStateStore(redis, leaseRedis, where);
  }

  private bind(client: Redis): Scripts {
    const commands = client as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
    return Object.fromEntries(Object.keys(lua).map((name) => [name, (...args: (string | number)[]) => commands[name]!.call(client, PREFIX, ...args)])) as Scripts;
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      const value = await fn();
      this.ok = true;
      return value;
    } catch (err) {
      this.ok = false;
      throw new HelError('HEL_STATE', `Redis state: cannot ${what}: ${(err as Error).message}`, { hint: 'check that the state server is reachable' }, { cause: err });
    }
  }

  async load(source: string): Promise<SourceSnapshot> {
    return this.run('load state', async () => {
      const [keys, ids] = await Promise.all([this.redis.hgetall(`${PREFIX}state:${source}`), this.redis.lrange(`${PREFIX}dedupe:${source}`, 0, -1)]);
      return { keys, dedupeIds: ids };
    });
  }

  async commitFenced(source: string, checkpoint: Checkpoint, lease: Lease): Promise<void> {
    const written = await this.run(`save state for ${source}`, () => this.scripts.FENCED_COMMIT(source, lease.owner, lease.token, ...writeArgs(checkpoint)));
    if (written !== 1) throw leaseLost(source, lease, 'checkpoint');
  }

  async commit(source: string, checkpoint: Checkpoint): Promise<void> {
    await this.run(`save state for ${source}`, () => this.scripts.OPERATOR_COMMIT(source, ...writeArgs(checkpoint)));
  }

  async reset(source: string): Promise<void> {
    await this.run(`reset ${source}`, () => this.scripts.RESET(source));
  }

  async sources(): Promise<string[]> {
    return this.run('list sources', async () => (await this.redis.smembers(`${PREFIX}sources`)).sort());
  }

  exportAll(): Promise<StateExport> {
    return exportState(this);
  }

  async importAll(data: StateExport): Promise<void> {
    for (const [name, entry] of Object.entries(data)) {
      await this.reset(name);
      await this.commit(name, { keys: entry.keys, dedupeIds: entry.dedupe_ids ?? [] });
    }
  }

  // ---- leases and membership (server time)

  async heartbeat(instance: string, ttlMs: number): Promise<string[]> {
    const live = await this.run('announce this instance', () => this.leaseScripts.HEARTBEAT(instance, ttlMs));
    return (live as string[]).sort();
  }

  async leave(instance: string): Promise<void> {
    await this.run('leave the fleet', () => this.leaseScripts.LEAVE(instance));
  }

  async acquire(source: string, owner: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    const row = (await this.run(`acquire the lease of ${source}`, () => this.leaseScripts.ACQUIRE(source, owner, ttlMs))) as [string, string, string] | null;
    if (row === null) return undefined;
    const grant: LeaseGrant = { source, owner, token: row[0], expiresAt: Number(row[1]) };
    if (row[2] !== '' && row[2] !== owner) grant.tookOverFrom = row[2];
    return grant;
  }

  async renew(owner: string, leases: readonly Lease[], ttlMs: number): Promise<Map<string, number>> {
    if (leases.length === 0) return new Map();
    const flat = (await this.run('renew leases', () => this.leaseScripts.RENEW(owner, ttlMs, ...leases.flatMap((l) => [l.source, l.token])))) as string[];
    const out = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) out.set(flat[i]!, Number(flat[i + 1]));
    return out;
  }

  async release(lease: Lease): Promise<void> {
    await this.run(`release the lease of ${lease.source}`, () => this.leaseScripts.RELEASE(lease.source, lease.owner, lease.token));
  }

  async leases(): Promise<LeaseInfo[]> {
    const flat = (await this.run('list leases', () => this.leaseScripts.LEASES())) as string[];
    const out: LeaseInfo[] = [];
    for (let i = 0; i < flat.length; i += 4) {
      out.push({ source: flat[i]!, owner: flat[i + 1] || null, token: flat[i + 2]!, expiresAt: flat[i + 3] ? Number(flat[i + 3]) : null });
    }
    return out.sort((a, b) => (a.source < b.source ? -1 : 1));
  }

  // ---- fleet-wide request budgets

  async take(budget: string, _owner: string, windows: readonly BudgetWindow[]): Promise<BudgetTake> {
    const slot = randomBytes(8).toString('hex');
    const [waiting, value] = (await this.run('take from a request budget', () => this.scripts.BUDGET_TAKE(budget, slot, IN_FLIGHT_CAP_MS, ...windows.flatMap((w) => [w.windowMs, w.limit])))) as [
      number,
      string,
    ];
    if (waiting === 1) return { waitMs: Number(value) };
    return {
      done: () => {
        // Best effort: should this fail, the slot still leaves its windows after IN_FLIGHT_CAP_MS.
        this.scripts.BUDGET_DONE(budget, slot, ...windows.map((w) => w.windowMs)).catch(() => undefined);
      },
    };
  }

  healthy(): boolean {
    return this.ok;
  }

  async close(): Promise<void> {
    await Promise.all([this.redis.quit().catch(() => undefined), this.leaseRedis.quit().catch(() => undefined)]);
  }
}
