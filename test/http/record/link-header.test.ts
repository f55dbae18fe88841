import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import { writeConfig } from '../../helpers/hel-process.js';
import { json, scriptedServer } from '../../helpers/loopback.js';
import { runOnce } from './harness.js';

const PAGES = 3;

function sortedLines(stdout: string): string[] {
  return stdout.split('\n').filter(Boolean).sort();
}

void test('link_header and next_url pages that point at the live host replay after the server is gone', async (t) => {
  const dir = tempDir(t);
  const server = await scriptedServer(t, (_n, req, res) => {
    const base = server.url;
    const url = new URL(req.url ?? '/', base);
    const page = Number(url.searchParams.get('page') ?? '1');
    const logs = [{ id: `${url.pathname}-${page}`, published: `2026-02-0${page}T00:00:00Z` }];
    const next = new URL(url.pathname, base);
    next.searchParams.set('page', String(page + 1));
    next.searchParams.set('limit', '1');
    if (url.pathname === '/links') {
      json(res, 200, logs, page < PAGES ? { link: `<${next.toString()}>; rel="next", <${base}/links?page=1>; rel="first"` } : {});
    } else {
      json(res, 200, { data: logs, next: page < PAGES ? next.toString() : null });
    }
  });
  const cfg = writeConfig(
    dir,
    `sources:
  links:
    url: ${server.url}/links
    query_params:
      limit: 1
    pagination:
      strategy: link_header
  nexts:
    url: ${server.url}/nexts
    query_params:
      limit: 1
    response_events_path: data
    pagination:
      strategy: next_url
      next_url_path: next
`,
  );
  const recordings = join(dir, 'recordings');

  const live = await runOnce(cfg, ['--state', join(dir, 'state.db'), '--record-dir', recordings]);
  assert.equal(live.code, 0, live.stderr);
  assert.equal(sortedLines(live.stdout).length, 2 * PAGES);
  const link = JSON.parse(readFileSync(join(recordings, 'links', '0001.json'), 'utf8')) as { response: { headers: Record<string, string> } };
  assert.ok(link.response.headers.link?.includes(`${server.url}/links?page=2`), 'the Link header is recorded as the live API sent it');
  await server.close();

  const replay = await runOnce(cfg, ['--replay-dir', recordings]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.deepEqual(sortedLines(replay.stdout), sortedLines(live.stdout));
  assert.equal(server.requests.length, 2 * PAGES);
});
