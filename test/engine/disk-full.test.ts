import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { cursorFeed, fakeApi, makeEvents, offsetOf } from '../helpers/fake-api.js';
import { bearer, getJson, hel, parseLines, startDaemon, stateOf, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

/** A tmpfs of `size` mounted for this test (root only), unmounted and removed after it; or why it cannot be. */
function mountTmpfs(t: { after(fn: () => unknown): void }, size: string): { disk: string } | { problem: string } {
  const disk = mkdtempSync(join(tmpdir(), 'hel-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', disk], { stdio: 'pipe' });
  } catch (err) {
    rmdirSync(disk);
    return { problem: `cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)}` };
  }
  t.after(() => {
    execFileSync('umount', ['-l', disk], { stdio: 'pipe' });
    rmdirSync(disk);
  });
  return { disk };
}

/** A temp dir and a 256 KiB tmpfs for one test, and `grow` to make the tmpfs 4 MiB; undefined (the test skipped) without root. */
function smallDisk(t: TestContext): { dir: string; disk: string; grow(): void } | undefined {
  const mounted = mountTmpfs(t, '256k');
  if ('problem' in mounted) {
    t.skip(mounted.problem);
    return undefined;
  }
  const { disk } = mounted;
  return { dir: tempDir(t), disk, grow: () => execFileSync('mount', ['-o', 'remount,size=4m', disk], { stdio: 'pipe' }) };
}

/** A cursor source over a `cursorFeed` at `url`, with dedupe on uuid. */
function feedSource(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { url, pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', max_pages: 1000 }, dedupe: { id_path: 'uuid' }, ...extra };
}

/** `n` events from `from` on, each padded to about `bytes`. */
const bulkyEvents = (n: number, from: number, bytes: number) => makeEvents(n, from).map((e) => ({ ...e, detail: 'x'.repeat(bytes) }));

const uuidsIn = (path: string): string[] => parseLines(readFileSync(path, 'utf8')).map((l) => l.event.uuid as string);

test('disk full (ENOSPC on a small tmpfs): the partial page is cut off, exit 1; after space is freed the rerun is exactly once with dedupe and hel report reads the file', async (t) => {
  const dir = tempDir(t);
  const mounted = mountTmpfs(t, '256k');
  if ('problem' in mounted) {
    t.skip(mounted.problem);
    return;
  }
  const { disk } = mounted;
  const events = makeEvents(3000).map((e) => ({ ...e, detail: 'x'.repeat(200) }));
  const api = await fakeApi(t, cursorFeed(events, 100));
  const config = writeConfig(dir, {
    sources: {
      audit: {
        url: `${api.url}/api/v2/auditevents`,
        method: 'post',
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 1000 },
        dedupe: { id_path: 'uuid' },
      },
    },
  });
  const output = join(disk, 'events.ndjson');
  const state = join(dir, 'st.db');
  const args = ['run', '--once', '-c', config, '--output', output, '--state', state];

  const full = await hel(args);
  assert.equal(full.code, 1, full.stderr);
  assert.match(full.stderr, /ENOSPC|no space left on device/i);
  assert.match(full.stderr, /cut back to its last whole page/);
  const text = readFileSync(output, 'utf8');
  assert.ok(text.endsWith('\n'), 'the file ends on a whole line');
  const written = parseLines(text);
  assert.equal(written.length, offsetOf((await stateOf(state)).audit!.cursor as string), 'the file holds exactly the committed pages');
  assert.ok(statSync(output).size < 256 * 1024);

  execFileSync('mount', ['-o', 'remount,size=4m', disk], { stdio: 'pipe' });
  const rerun = await hel(args);
  assert.equal(rerun.code, 0, rerun.stderr);
  const uuids = parseLines(readFileSync(output, 'utf8')).map((l) => l.event.uuid as string);
  assert.equal(uuids.length, events.length, 'nothing twice');
  assert.deepEqual(
    uuids,
    events.map((e) => e.uuid),
    'nothing missing, in order',
  );

  const report = await hel(['report', '--input', output, '--format', 'json', '--out', join(dir, 'report.json')]);
  assert.equal(report.code, 0, report.stderr);
});

test('disk full with backpressure block while another source holds unflushed pages (checkpoint: end_of_tick): the failed page is not re-sent by the strategy, no page appears twice; the rerun is exactly once', async (t) => {
  const space = smallDisk(t);
  if (space === undefined) return;
  // `small` writes its first page and waits for its second; `big`'s page then does not fit on the disk.
  const small = makeEvents(20, 0);
  const big = bulkyEvents(100, 1000, 3000);
  const smallFeed = cursorFeed(small, 10);
  const bigFeed = cursorFeed(big, 100);
  let secondSmallPage: (() => void) | undefined;
  const secondPageAsked = new Promise<void>((resolve) => (secondSmallPage = resolve));
  const api = await fakeApi(t, async (req) => {
    if (req.path === '/small') {
      if (offsetOf(req.query.get('cursor') ?? undefined) === 0) return smallFeed(req);
      secondSmallPage!();
      // Held: the run stops on the full disk before this page comes.
      return new Promise(() => undefined);
    }
    await secondPageAsked;
    return bigFeed(req);
  });
  const config = writeConfig(space.dir, { sources: { small: feedSource(`${api.url}/small`, { checkpoint: 'end_of_tick' }), big: feedSource(`${api.url}/big`) } });
  const output = join(space.disk, 'events.ndjson');
  const args = ['run', '--once', '-c', config, '--output', output, '--state', join(space.dir, 'st.db')];

  const full = await hel(args);
  assert.equal(full.code, 1, full.stderr);
  assert.match(full.stderr, /ENOSPC|no space left on device/i);
  const afterFailure = uuidsIn(output);
  assert.equal(new Set(afterFailure).size, afterFailure.length, `no event twice after the failure; the file holds ${afterFailure.join(' ')}`);

  space.grow();
  api.setHandler((req) => (req.path === '/small' ? smallFeed(req) : bigFeed(req)));
  const rerun = await hel(args);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(uuidsIn(output).sort(), [...small, ...big].map((e) => e.uuid).sort(), 'every event of both sources once');
});

for (const checkpoint of ['per_page', 'end_of_tick']) {
  test(`disk_buffer on a disk that fills up (checkpoint: ${checkpoint}): the records not fsynced are cut off, nothing is lost or spooled twice; the rerun delivers every event once`, async (t) => {
    const space = smallDisk(t);
    if (space === undefined) return;
    const events = bulkyEvents(3000, 0, 200);
    const api = await fakeApi(t, cursorFeed(events, 100));
    const config = writeConfig(space.dir, {
      global: { backpressure: { strategy: 'disk_buffer', disk_buffer: { path: join(space.disk, 'spool', 'hel') } } },
      sources: { audit: feedSource(`${api.url}/api/v2/auditevents`, { checkpoint }) },
    });
    const output = join(space.dir, 'events.ndjson');
    const args = ['run', '--once', '-c', config, '--output', output, '--state', join(space.dir, 'st.db')];

    const full = await hel(args);
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, /ENOSPC|no space left on device/i);

    space.grow();
    const rerun = await hel(args);
    assert.equal(rerun.code, 0, rerun.stderr);
    const uuids = uuidsIn(output);
    const seen = new Set(uuids);
    assert.deepEqual(
      events.filter((e) => !seen.has(e.uuid)).map((e) => e.uuid),
      [],
      'nothing missing',
    );
    assert.equal(uuids.length, seen.size, 'nothing twice');
    assert.deepEqual(
      uuids,
      events.map((e) => e.uuid),
      'in order',
    );
  });
}

test('a poll triggered through the REST API that fills the disk stops the daemon (exit 1), as its answer says; the rerun is exactly once', async (t) => {
  const space = smallDisk(t);
  if (space === undefined) return;
  // The feed grows: ten small events for the first poll, then a page that does not fit.
  const events = makeEvents(10);
  const api = await fakeApi(t, cursorFeed(events, 100));
  const output = join(space.disk, 'events.ndjson');
  const config = {
    global: { api: { enabled: true, address: '127.0.0.1', port: 0 }, output: { path: output }, state: { path: join(space.dir, 'st.db') }, log_format: 'json' },
    sources: { audit: feedSource(`${api.url}/api/v2/auditevents`, { schedule: { interval_secs: 3600 } }) },
  };
  const daemon = await startDaemon(space.dir, config, { listeners: ['api'] });
  const exited = new Promise<number | null>((resolve) => daemon.child.once('exit', resolve));
  t.after(() => daemon.child.kill('SIGKILL'));
  await waitFor(() => uuidsIn(output).length === 10, 10_000, 'the first poll');
  events.push(...bulkyEvents(100, 10, 3000));

  const poll = await getJson(`${daemon.urls.api}/api/v1/sources/audit/poll`, { method: 'POST', ...bearer });
  assert.equal(poll.status, 500, JSON.stringify(poll.body));
  assert.equal(poll.body.error_code, 'HEL_OUTPUT');
  assert.match(String(poll.body.error), /the poll stopped the collector: .*(ENOSPC|no space left on device)/i);
  assert.equal(await within(15_000, exited, 'the daemon to stop'), 1, daemon.stderr());

  space.grow();
  const rerun = await hel(['run', '--once', '-c', join(space.dir, 'hel.yaml')]);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(
    uuidsIn(output),
    events.map((e) => e.uuid),
    'every event once, in order',
  );
});
