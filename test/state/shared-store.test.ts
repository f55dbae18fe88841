import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rejectionOf } from '../helpers/hel-error.js';
import { SHARED_BACKENDS, startStateServer, type StateServer } from '../helpers/state-server.js';

async function refusal(promise: Promise<unknown>): Promise<string> {
  return (await rejectionOf(promise, 'the write to be refused')).code;
}

// The lease, fencing and budget guarantees, the same for every shared backend, against real servers.
for (const backend of SHARED_BACKENDS) {
  describe(`${backend} shared state`, { timeout: 60_000 }, () => {
    let server: StateServer;
    before(async () => {
      server = await startStateServer(backend);
    });
    after(async () => {
      await server?.stop();
    });

    test('of many instances racing for one lease exactly one gets it, and each grant has a higher token', async () => {
      const url = await server.createDatabase();
      const stores = await Promise.all(Array.from({ length: 5 }, () => server.open(url)));
      try {
        let lastToken = 0n;
        for (let round = 0; round < 10; round++) {
          // A TTL no loaded machine outlasts while the 15 requests race; the winner releases between rounds.
          const grants = (await Promise.all(stores.flatMap((s, i) => [0, 1, 2].map((j) => s.acquire('src', `i${i}-${j}`, 60_000))))).filter((g) => g !== undefined);
          assert.equal(grants.length, 1, `round ${round}: ${grants.length} holders`);
          assert.ok(BigInt(grants[0]!.token) > lastToken);
          lastToken = BigInt(grants[0]!.token);
          await stores[round % stores.length]!.release(grants[0]!);
        }
      } finally {
        for (const s of stores) await s.close();
      }
    });

    test('fencing: a holder whose lease was taken over cannot commit, renew or release it; the new holder can', async () => {
      const url = await server.createDatabase();
      const a = await server.open(url);
      const b = await server.open(url);
      try {
        const la = (await a.acquire('src', 'a', 200))!;
        assert.equal(await b.acquire('src', 'b', 200), undefined, 'held by a');
        await a.commitFenced('src', { keys: { cursor: 'one' }, dedupeIds: ['e1', 'e2'], dedupeCapacity: 10 }, la);
        await new Promise((r) => setTimeout(r, 250));
        const lb = (await b.acquire('src', 'b', 5000))!;
        assert.equal(lb.tookOverFrom, 'a');
        assert.equal(await refusal(a.commitFenced('src', { keys: { cursor: 'stale' }, dedupeIds: ['e3'] }, la)), 'HEL_LEASE_LOST');
        assert.equal((await a.renew('a', [la], 5000)).size, 0);
        await a.release(la);
        assert.deepEqual(await b.load('src'), { keys: { cursor: 'one' }, dedupeIds: ['e1', 'e2'] }, 'the stale write left nothing');
        await b.commitFenced('src', { keys: { cursor: 'two' }, dedupeIds: ['e3'], dedupeCapacity: 2 }, lb);
        assert.deepEqual(await a.load('src'), { keys: { cursor: 'two' }, dedupeIds: ['e2', 'e3'] });
        assert.deepEqual(
          (await a.leases()).map((l) => [l.source, l.owner]),
          [['src', 'b']],
        );
      } finally {
        await a.close();
        await b.close();
      }
    });

    test("an operator's write (hel state set/reset/import) revokes the lease: the holder's next checkpoint is refused", async () => {
      const url = await server.createDatabase();
      const store = await server.open(url);
      try {
        const lease = (await store.acquire('src', 'a', 60_000))!;
        await store.commit('src', { keys: { cursor: 'set-by-operator' } });
        assert.equal(await refusal(store.commitFenced('src', { keys: { cursor: 'old' } }, lease)), 'HEL_LEASE_LOST');
        assert.equal((await store.load('src')).keys.cursor, 'set-by-operator');
        const again = (await store.acquire('src', 'a', 60_000))!;
        assert.ok(BigInt(again.token) > BigInt(lease.token));
        await store.reset('src');
        assert.equal(await refusal(store.commitFenced('src', { keys: { cursor: 'x' } }, again)), 'HEL_LEASE_LOST');
        assert.deepEqual(await store.load('src'), { keys: {}, dedupeIds: [] });
      } finally {
        await store.close();
      }
    });

    test('a request budget shared by two instances grants exactly its limit, atomically', async () => {
      const url = await server.createDatabase();
      const a = await server.open(url);
      const b = await server.open(url);
      try {
        const windows = [{ windowMs: 60_000, limit: 10 }];
        const takes = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).budgets.take('acct', i % 2 ? 'a' : 'b', windows)));
        const granted = takes.filter((x) => x.waitMs === undefined);
        assert.equal(granted.length, 10);
        for (const g of granted) if (g.waitMs === undefined) g.done();
        await new Promise((r) => setTimeout(r, 100));
        const next = await a.budgets.take('acct', 'a', windows);
        assert.ok(next.waitMs !== undefined && next.waitMs > 55_000 && next.waitMs <= 60_000, `wait ${next.waitMs}`);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
