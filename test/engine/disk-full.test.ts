import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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
  const dir = tempDir(t);
  const mounted = mountTmpfs(t, '256k');
  if ('problem' in mounted) {
    t.skip(mounted.problem);
    return;
  }
  const { disk } = mounted;
  // `small` writes its first page and waits for its second; `big`'s page then does not fit on the disk.
  const small = makeEvents(20, 0);
  const big = makeEvents(100, 1000).map((e) => ({ ...e, detail: 'x'.repeat(3000) }));
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
  const source = (path: string, extra: Record<string, unknown> = {}) => ({
    url: `${api.url}${path}`,
    pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', max_pages: 100 },
    dedupe: { id_path: 'uuid' },
    ...extra,
  });
  const config = writeConfig(dir, { sources: { small: source('/small', { checkpoint: 'end_of_tick' }), big: source('/big') } });
  const output = join(disk, 'events.ndjson');
  const state = join(dir, 'st.db');
  const args = ['run', '--once', '-c', config, '--output', output, '--state', state];

  const full = await hel(args);
  assert.equal(full.code, 1, full.stderr);
  assert.match(full.stderr, /ENOSPC|no space left on device/i);
  const afterFailure = parseLines(readFileSync(output, 'utf8')).map((l) => l.event.uuid as string);
  assert.equal(new Set(afterFailure).size, afterFailure.length, `no event twice after the failure; the file holds ${afterFailure.join(' ')}`);

  execFileSync('mount', ['-o', 'remount,size=4m', disk], { stdio: 'pipe' });
  api.setHandler((req) => (req.path === '/small' ? smallFeed(req) : bigFeed(req)));
  const rerun = await hel(args);
  assert.equal(rerun.code, 0, rerun.stderr);
  const uuids = parseLines(readFileSync(output, 'utf8')).map((l) => l.event.uuid as string);
  assert.deepEqual([...uuids].sort(), [...small, ...big].map((e) => e.uuid).sort(), 'every event of both sources once');
});

for (const checkpoint of ['per_page', 'end_of_tick']) {
  test(`disk_buffer on a disk that fills up (checkpoint: ${checkpoint}): the records not fsynced are cut off, nothing is lost or spooled twice; the rerun delivers every event once`, async (t) => {
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
      global: { backpressure: { strategy: 'disk_buffer', disk_buffer: { path: join(disk, 'spool', 'hel') } } },
      sources: {
        audit: {
          url: `${api.url}/api/v2/auditevents`,
          pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', max_pages: 1000 },
          dedupe: { id_path: 'uuid' },
          checkpoint,
        },
      },
    });
    const output = join(dir, 'events.ndjson');
    const args = ['run', '--once', '-c', config, '--output', output, '--state', join(dir, 'st.db')];

    const full = await hel(args);
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, /ENOSPC|no space left on device/i);

    execFileSync('mount', ['-o', 'remount,size=4m', disk], { stdio: 'pipe' });
    const rerun = await hel(args);
    assert.equal(rerun.code, 0, rerun.stderr);
    const uuids = parseLines(readFileSync(output, 'utf8')).map((l) => l.event.uuid as string);
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
  const dir = tempDir(t);
  const mounted = mountTmpfs(t, '256k');
  if ('problem' in mounted) {
    t.skip(mounted.problem);
    return;
  }
  const { disk } = mounted;
  // The feed grows: ten small events for the first poll, then a page that does not fit.
  const events = makeEvents(10);
  const api = await fakeApi(t, cursorFeed(events, 100));
  const config = {
    global: { api: { enabled: true, address: '127.0.0.1', port: 0 }, output: { path: join(disk, 'events.ndjson') }, state: { path: join(dir, 'st.db') }, log_format: 'json' },
    sources: {
      audit: {
        url: `${api.url}/api/v2/auditevents`,
        schedule: { interval_secs: 3600 },
        pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', max_pages: 100 },
        dedupe: { id_path: 'uuid' },
      },
    },
  };
  const daemon = await startDaemon(dir, config, { listeners: ['api'] });
  const exited = new Promise<number | null>((resolve) => daemon.child.once('exit', resolve));
  t.after(() => daemon.child.kill('SIGKILL'));
  const output = join(disk, 'events.ndjson');
  await waitFor(() => readFileSync(output, 'utf8').split('\n').length === 11, 10_000, 'the first poll');
  events.push(...makeEvents(100, 10).map((e) => ({ ...e, detail: 'x'.repeat(3000) })));

  const poll = await getJson(`${daemon.urls.api}/api/v1/sources/audit/poll`, { method: 'POST', ...bearer });
  assert.equal(poll.status, 500, JSON.stringify(poll.body));
  assert.equal(poll.body.error_code, 'HEL_OUTPUT');
  assert.match(String(poll.body.error), /the poll stopped the collector: .*(ENOSPC|no space left on device)/i);
  assert.equal(await within(15_000, exited, 'the daemon to stop'), 1, daemon.stderr());

  execFileSync('mount', ['-o', 'remount,size=4m', disk], { stdio: 'pipe' });
  const rerun = await hel(['run', '--once', '-c', join(dir, 'hel.yaml')]);
  assert.equal(rerun.code, 0, rerun.stderr);
  const uuids = parseLines(readFileSync(output, 'utf8')).map((l) => l.event.uuid as string);
  assert.deepEqual(
    uuids,
    events.map((e) => e.uuid),
    'every event once, in order',
  );
});
