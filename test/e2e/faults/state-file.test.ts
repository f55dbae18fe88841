import assert from 'node:assert/strict';
import { closeSync, copyFileSync, fstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { cursorFeed, fakeApi, makeEvents, type FeedEvent } from '../../helpers/fake-api.js';
import { hel, parseLines, startHel, stateOf, waitFor, within, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';

// Issue #13 item 6 and the state-file part of the crash-and-fault suite: a state file deleted,
// replaced, corrupted or written by a newer hel stops Hel loudly, names the file and the remedy,
// and following the remedy loses nothing.

const PAGE = 20;

function source(url: string): Record<string, unknown> {
  return {
    url: `${url}/events`,
    method: 'post',
    body: {},
    schedule: { interval_secs: 0.2 },
    pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 1000 },
    dedupe: { id_path: 'uuid' },
  };
}

/** Lost and duplicated events of `outputs` against `events`. */
function count(events: FeedEvent[], outputs: string[]): { lost: number; duplicated: number } {
  const seen = new Map<string, number>();
  for (const out of outputs) for (const line of parseLines(out)) seen.set(String(line.event.uuid), (seen.get(String(line.event.uuid)) ?? 0) + 1);
  const lost = events.filter((e) => !seen.has(e.uuid)).length;
  const duplicated = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  return { lost, duplicated };
}

for (const fault of ['deleted', 'replaced'] as const) {
  test(`a state file ${fault} while hel run is running: the run stops at its next commit with a clear error`, async (t) => {
    const events = makeEvents(200);
    const visible = { n: 100 };
    const api = await fakeApi(t, (req) => cursorFeed(events.slice(0, visible.n), PAGE)(req));
    const dir = tempDir(t);
    const state = join(dir, 'st.db');
    const config = writeConfig(dir, { sources: { audit: source(api.url) } });
    const run = startHel(t, ['run', '-c', config, '--state', state]);
    await waitFor(() => parseLines(run.stdout()).length === 100, 30_000, 'the first 100 events');

    if (fault === 'deleted') {
      rmSync(state);
      rmSync(`${state}-wal`, { force: true });
    } else {
      const other = join(dir, 'other.db');
      assert.equal((await hel(['state', 'set', 'audit', 'cursor', 'c000000', '--state', other])).code, 0);
      renameSync(other, state);
    }
    visible.n = 200;
    const exit = await within(30_000, run.exited, 'hel run to stop');
    assert.equal(exit.code, 1, run.stderr());
    assert.match(run.stderr(), fault === 'deleted' ? /state file \S+st\.db was deleted while hel was running/ : /state file \S+st\.db was replaced by another file while hel was running/);
    assert.match(run.stderr(), /hint: /);
    const first = run.stdout();
    // Bound: the page whose commit found the file gone was written, nothing after it.
    assert.ok(parseLines(first).length <= 100 + PAGE, `at most one page past the fault is written (${parseLines(first).length})`);

    // The documented remedy without a backup: restart, which collects again from the configured start.
    const again = await hel(['run', '--once', '-c', config, '--state', join(dir, 'fresh.db')]);
    assert.equal(again.code, 0, again.stderr);
    const { lost, duplicated } = count(events, [first, again.stdout]);
    assert.equal(lost, 0, 'no event is lost');
    assert.equal(duplicated, parseLines(first).length, 'the re-collection repeats exactly what the stopped run wrote');
  });
}

async function collectedState(t: { after(fn: () => unknown): void }, events: FeedEvent[]) {
  const api = await fakeApi(t, cursorFeed(events, PAGE));
  const dir = tempDir(t);
  const state = join(dir, 'st.db');
  const config = writeConfig(dir, { sources: { audit: source(api.url) } });
  const first = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(first.code, 0, first.stderr);
  const exported = await hel(['state', 'export', '--state', state]);
  assert.equal(exported.code, 0, exported.stderr);
  writeFileSync(join(dir, 'export.json'), exported.stdout);
  return { api, dir, state, config, first: first.stdout };
}

test('a corrupted state file is named with the remedy; restoring the export loses nothing and repeats nothing', async (t) => {
  const events = makeEvents(150);
  const { dir, state, config, first } = await collectedState(t, events);

  for (const damage of ['not a database', 'malformed'] as const) {
    const broken = join(dir, `broken-${damage === 'malformed' ? 'm' : 'n'}.db`);
    copyFileSync(state, broken);
    const fd = openSync(broken, 'r+');
    const size = fstatSync(fd).size;
    if (damage === 'not a database') writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
    else writeSync(fd, Buffer.alloc(size - 4096, 0x5a), 0, size - 4096, 4096);
    closeSync(fd);
    const r = await hel(['run', '--once', '-c', config, '--state', broken]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`state file \\S*${broken.split('/').pop()!.replace('.', '\\.')} is damaged \\((file is not a database|database disk image is malformed)\\)`));
    assert.match(r.stderr, /restore \S+ from a backup; or move it aside and load your last export with: hel state import --state \S+ < EXPORT\.json/);
    assert.equal(r.stdout, '', 'nothing is collected on a state hel cannot trust');
    assert.doesNotMatch(r.stderr, /unexpected error/);
  }

  const restored = join(dir, 'restored.db');
  const imported = await hel(['state', 'import', '--state', restored], { input: readFileSync(join(dir, 'export.json'), 'utf8') });
  assert.equal(imported.code, 0, imported.stderr);
  const again = await hel(['run', '--once', '-c', config, '--state', restored]);
  assert.equal(again.code, 0, again.stderr);
  const { lost, duplicated } = count(events, [first, again.stdout]);
  assert.deepEqual({ lost, duplicated }, { lost: 0, duplicated: 0 });
});

test('a state file from a newer hel is refused with both versions and the remedy; an unversioned one is migrated', async (t) => {
  const events = makeEvents(60);
  const { state, config, first } = await collectedState(t, events);
  const db = new Database(state);
  assert.equal(db.pragma('user_version', { simple: true }), 2, 'a new file is written at schema version 2');
  db.pragma('user_version = 7');
  db.close();
  const r = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /state file \S+st\.db has schema version 7, but this hel understands versions up to 2: it was written by a newer hel/);
  assert.match(r.stderr, /hel state export \(newer hel\) \| hel state import \(this hel\)/);
  assert.equal(r.stdout, '');
  const shown = await hel(['state', 'show', '--state', state]);
  assert.equal(shown.code, 1, 'state show refuses it too, instead of showing an empty state');

  // A file from before versioning (user_version 0, the same tables) keeps its cursor and is upgraded.
  const legacy = new Database(state);
  legacy.pragma('user_version = 0');
  legacy.close();
  const resumed = await hel(['run', '--once', '-c', config, '--state', state]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(count(events, [first, resumed.stdout]), { lost: 0, duplicated: 0 });
  assert.equal((await stateOf(state)).audit!.cursor, 'c000060');
  const upgraded = new Database(state, { readonly: true });
  assert.equal(upgraded.pragma('user_version', { simple: true }), 2);
  upgraded.close();
});
