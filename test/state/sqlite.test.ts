import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { isHelError } from '../../src/errors.js';
import { SqliteStateStore } from '../../src/state/sqlite.js';
import { tempDir } from '../helpers/tmp.js';

function open(t: TestContext, path: string, exclusive = true): SqliteStateStore {
  const store = new SqliteStateStore(path, { exclusive });
  t.after(() => store.close());
  return store;
}

function helCode(code: string, message: RegExp) {
  return (err: unknown) => isHelError(err) && err.code === code && message.test(err.message);
}

test('a commit sets and deletes keys; load returns them; another source is untouched', async (t) => {
  const store = open(t, join(tempDir(t), 'st.db'));
  await store.commit('a', { keys: { cursor: 'c1', next_url: 'https://x/y' } });
  await store.commit('b', { keys: { cursor: 'other' } });
  await store.commit('a', { keys: { cursor: 'c2', next_url: null, absent: null } });
  assert.deepEqual((await store.load('a')).keys, { cursor: 'c2' });
  assert.deepEqual((await store.load('b')).keys, { cursor: 'other' });
  assert.deepEqual(await store.load('never'), { keys: {}, dedupeIds: [] });
  assert.deepEqual(await store.sources(), ['a', 'b']);
});

test('dedupe ids keep their order across commits and a reopen, trimmed to the capacity oldest first', async (t) => {
  const path = join(tempDir(t), 'st.db');
  const first = new SqliteStateStore(path, { exclusive: true });
  await first.commit('a', { keys: {}, dedupeIds: ['1', '2', '3'], dedupeCapacity: 4 });
  await first.commit('a', { keys: {}, dedupeIds: ['4', '5'], dedupeCapacity: 4 });
  assert.deepEqual((await first.load('a')).dedupeIds, ['2', '3', '4', '5']);
  await first.close();
  const second = open(t, path);
  assert.deepEqual((await second.load('a')).dedupeIds, ['2', '3', '4', '5']);
  await second.commit('a', { keys: {}, dedupeIds: ['6'], dedupeCapacity: 4 });
  assert.deepEqual((await second.load('a')).dedupeIds, ['3', '4', '5', '6'], 'numbering goes on after the reopen');
});

test('a commit is atomic: when its dedupe ids cannot be stored, its keys are not stored either, and the next commit leaves no gap', async (t) => {
  const path = join(tempDir(t), 'st.db');
  const store = open(t, path, false);
  await store.commit('a', { keys: { cursor: 'c1' }, dedupeIds: ['1'], dedupeCapacity: 10 });
  const other = new Database(path);
  t.after(() => other.close());
  other.exec("CREATE TRIGGER refuse BEFORE INSERT ON hel_dedupe_page BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
  await assert.rejects(store.commit('a', { keys: { cursor: 'c2' }, dedupeIds: ['2'], dedupeCapacity: 10 }), (err: unknown) => {
    assert.ok(isHelError(err) && err.code === 'HEL_STATE');
    assert.match(err.message, /cannot save state for a in .*st\.db: refused by the test/);
    assert.ok(err.cause !== undefined, 'a write failure carries the driver error (on_state_write_error may skip it)');
    return true;
  });
  assert.equal(store.healthy(), false, 'a failed commit marks the store unhealthy');
  assert.deepEqual(await store.load('a'), { keys: { cursor: 'c1' }, dedupeIds: ['1'] });
  other.exec('DROP TRIGGER refuse');
  await store.commit('a', { keys: { cursor: 'c2' }, dedupeIds: ['2'], dedupeCapacity: 10 });
  assert.equal(store.healthy(), true);
  assert.deepEqual(await store.load('a'), { keys: { cursor: 'c2' }, dedupeIds: ['1', '2'] });
});

test("reset forgets a source's keys and ids; export and import round-trip every source", async (t) => {
  const dir = tempDir(t);
  const store = open(t, join(dir, 'a.db'));
  await store.commit('a', { keys: { cursor: 'c1', events_total: '3' }, dedupeIds: ['x', 'y'] });
  await store.commit('b', { keys: { cursor: 'c9' } });
  const exported = await store.exportAll();
  assert.deepEqual(exported, { a: { keys: { cursor: 'c1', events_total: '3' }, dedupe_ids: ['x', 'y'] }, b: { keys: { cursor: 'c9' }, dedupe_ids: [] } });
  await store.reset('a');
  assert.deepEqual(await store.load('a'), { keys: {}, dedupeIds: [] });
  assert.deepEqual(await store.sources(), ['b']);
  const copy = open(t, join(dir, 'b.db'));
  await copy.importAll(exported);
  assert.deepEqual(await copy.exportAll(), exported);
});

test('a second collector on the same file is refused with HEL_STATE_LOCKED', (t) => {
  const path = join(tempDir(t), 'st.db');
  open(t, path);
  assert.throws(() => new SqliteStateStore(path, { exclusive: true }), helCode('HEL_STATE_LOCKED', /is in use by another hel process/));
});

test('a file from a newer hel is refused, naming both versions', (t) => {
  const path = join(tempDir(t), 'st.db');
  const db = new Database(path);
  db.pragma('user_version = 99');
  db.close();
  assert.throws(() => new SqliteStateStore(path, { exclusive: true }), helCode('HEL_STATE', /has schema version 99, but this hel understands versions up to 2/));
});

test('a file that is not a database is named as damaged, with the remedy', (t) => {
  const path = join(tempDir(t), 'st.db');
  writeFileSync(path, 'this is not sqlite, '.repeat(300));
  assert.throws(
    () => new SqliteStateStore(path, { exclusive: true }),
    (err: unknown) => {
      assert.ok(isHelError(err) && err.code === 'HEL_STATE');
      assert.match(err.message, /st\.db is damaged/);
      assert.match(err.context.hint ?? '', /restore .* from a backup/);
      return true;
    },
  );
});

test('a state file deleted or replaced while open takes no further commit', async (t) => {
  const dir = tempDir(t);
  const deleted = open(t, join(dir, 'gone.db'));
  await deleted.commit('a', { keys: { cursor: 'c1' } });
  rmSync(join(dir, 'gone.db'));
  await assert.rejects(deleted.commit('a', { keys: { cursor: 'c2' } }), helCode('HEL_STATE', /was deleted while hel was running/));
  assert.equal(deleted.healthy(), false);

  const replaced = open(t, join(dir, 'st.db'));
  await replaced.commit('a', { keys: { cursor: 'c1' } });
  const other = new Database(join(dir, 'new.db'));
  other.close();
  renameSync(join(dir, 'new.db'), join(dir, 'st.db'));
  await assert.rejects(replaced.commit('a', { keys: { cursor: 'c2' } }), (err: unknown) => {
    assert.ok(isHelError(err) && err.code === 'HEL_STATE');
    assert.match(err.message, /was replaced by another file/);
    assert.equal(err.cause, undefined, 'an anomaly hel detected itself is never skipped as a mere write failure');
    return true;
  });
});

test('a version-1 file (a row per dedupe id) is upgraded to version 2 with its window in order; trimming and numbering go on from it', async (t) => {
  const path = join(tempDir(t), 'st.db');
  const v1 = new Database(path);
  v1.exec(`CREATE TABLE hel_state (source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (source, key)) WITHOUT ROWID;
    CREATE TABLE hel_dedupe (source TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, PRIMARY KEY (source, seq)) WITHOUT ROWID;`);
  v1.prepare("INSERT INTO hel_state VALUES ('a', 'cursor', 'c9', '2026-01-01T00:00:00Z')").run();
  // Inserted out of order, after a trim (seq starts at 4), for two sources.
  for (const [source, seq, id] of [
    ['a', 6, 'z'],
    ['a', 4, 'x'],
    ['b', 1, 'only'],
    ['a', 5, 'y'],
  ] as const)
    v1.prepare('INSERT INTO hel_dedupe VALUES (?, ?, ?)').run(source, seq, id);
  v1.pragma('user_version = 1');
  v1.close();

  const store = open(t, path, false);
  assert.deepEqual(await store.load('a'), { keys: { cursor: 'c9' }, dedupeIds: ['x', 'y', 'z'] });
  assert.deepEqual((await store.load('b')).dedupeIds, ['only']);
  assert.deepEqual(await store.sources(), ['a', 'b']);
  await store.commit('a', { keys: {}, dedupeIds: ['w'], dedupeCapacity: 3 });
  assert.deepEqual((await store.load('a')).dedupeIds, ['y', 'z', 'w'], 'the oldest migrated id is trimmed first, numbering goes on at 7');
  await store.commit('a', { keys: {}, dedupeIds: ['v', 'u', 't'], dedupeCapacity: 3 });
  assert.deepEqual((await store.load('a')).dedupeIds, ['v', 'u', 't']);
  const raw = new Database(path, { readonly: true });
  t.after(() => raw.close());
  assert.equal(raw.pragma('user_version', { simple: true }), 2);
  assert.equal(raw.prepare<[], { n: number }>("SELECT count(*) AS n FROM hel_dedupe_page WHERE source = 'a'").get()!.n, 1, 'pages wholly out of the window are deleted');
  assert.equal(raw.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'hel_dedupe'").get()!.n, 0);
});
