import { PostgresStateStore } from '../../src/state/postgres/store.js';
import { RedisStateStore } from '../../src/state/redis/store.js';
import { startPostgres } from './postgres.js';
import { startRedis } from './redis.js';

export type SharedBackend = 'postgres' | 'redis';
export const SHARED_BACKENDS: readonly SharedBackend[] = ['postgres', 'redis'];

/** A real server of a shared state backend, with fresh databases and Hel's store opened on them. */
export interface StateServer {
  backend: SharedBackend;
  createDatabase(): Promise<string>;
  open(url: string): Promise<PostgresStateStore | RedisStateStore>;
  /** One store per database kept open for the test's own looks (closed by `stop`): tests poll the lease table often. */
  shared(url: string): Promise<PostgresStateStore | RedisStateStore>;
  stop(): Promise<void>;
}

export async function startStateServer(backend: SharedBackend): Promise<StateServer> {
  const server = backend === 'postgres' ? await startPostgres() : await startRedis();
  const open = (url: string) => (backend === 'postgres' ? PostgresStateStore.open(url, undefined) : RedisStateStore.open(url, undefined));
  const kept = new Map<string, Promise<PostgresStateStore | RedisStateStore>>();
  return {
    backend,
    createDatabase: () => server.createDatabase(),
    open,
    shared(url) {
      let store = kept.get(url);
      if (store === undefined) kept.set(url, (store = open(url)));
      return store;
    },
    async stop() {
      for (const store of kept.values()) await (await store).close();
      await server.stop();
    },
  };
}
