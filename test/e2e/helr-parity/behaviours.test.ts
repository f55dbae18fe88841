import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../../helpers/fake-api.js';
import { hel, parseLines, startDaemon, waitFor, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { CLI_TIMEOUT_MS } from '../../helpers/workspace.js';
import { globalConfig } from '../../helpers/server-config.js';

// Helr's behaviours beyond single keys: $VAR, any source name, `hel state --config F set`, and its recordings.

test('$VAR without braces expands as in Helr; comments are never expanded; $name in a body stays GraphQL; an unset $VAR is a located error', async (t) => {
  const api = await fakeApi(t, () => ({ body: [{ id: 'a' }] }));
  const dir = tempDir(t);
  const port = new URL(api.url).port;
  const config = join(dir, 'hel.yaml');
  writeFileSync(
    config,
    [
      '# a comment with $NOT_SET_ANYWHERE is not expanded',
      'sources:',
      '  gql:',
      '    url: "http://$HEL_TEST_HOST:$HEL_TEST_PORT/graphql"   # $ALSO_NOT_SET in a trailing comment',
      '    method: post',
      '    body:',
      '      query: "query Q($after: String) { log(after: $after) { id } }"',
      '    headers:',
      '      X-Tenant: "$HEL_TEST_TENANT-${HEL_TEST_TENANT}"',
      '',
    ].join('\n'),
  );
  const env = { HEL_TEST_HOST: '127.0.0.1', HEL_TEST_PORT: port, HEL_TEST_TENANT: 'acme' };
  const run = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')], { env, timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(parseLines(run.stdout).length, 1);
  assert.equal(api.requests[0]!.headers['x-tenant'], 'acme-acme');
  assert.equal((JSON.parse(api.requests[0]!.body) as { query: string }).query, 'query Q($after: String) { log(after: $after) { id } }');

  // A hook's inline JavaScript is not expanded either (whether or not this branch knows hooks yet).
  const hook = join(dir, 'hook.yaml');
  writeFileSync(hook, 'sources:\n  h:\n    url: "http://127.0.0.1:9/x"\n    hooks:\n      script_inline: |\n        var q = "query Q($after: String) { a }";\n');
  const hooked = await hel(['validate', '-c', hook]);
  assert.doesNotMatch(hooked.stderr, /environment variable after is not set/);

  const unset = await hel(['validate', '-c', config], { env: { ...env, HEL_TEST_HOST: undefined } });
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /hel\.yaml:4:\d+ sources\.gql\.url: environment variable HEL_TEST_HOST is not set/);
});

const NAMES = ['okta audit/é "prod"', 'a b', 'a_b'];

test('source names with spaces, slashes, quotes and accents: metrics labels escaped, REST API by encoded name, distinct recording folders that replay', async (t) => {
  const api = await fakeApi(t, (req) => ({ body: [{ id: `${req.path}-1` }] }));
  const dir = tempDir(t);
  const sources = Object.fromEntries(NAMES.map((name, i) => [name, { url: `${api.url}/s${i}`, schedule: { interval_secs: 60 } }]));
  const hel1 = await startDaemon(dir, { global: globalConfig(dir, { token_env: 'HEL_TEST_API_TOKEN' }), sources });
  try {
    const api1 = hel1.urls.api!;
    const bearer = { headers: { authorization: 'Bearer test-api-token-0123456789' } };
    await waitFor(async () => (await (await fetch(`${hel1.urls.metrics!}/metrics`)).text()).includes('a_b'), 10_000, 'the metrics of every source');
    const metrics = await (await fetch(`${hel1.urls.metrics!}/metrics`)).text();
    assert.ok(metrics.includes('source="okta audit/é \\"prod\\""'), 'the quote is escaped in the label value');
    assert.ok(!metrics.split('\n').some((l) => l.startsWith('é')), 'no label breaks a line');
    for (const name of NAMES) {
      const response = await fetch(`${api1}/api/v1/sources/${encodeURIComponent(name)}`, bearer);
      assert.equal(response.status, 200, name);
      assert.equal(((await response.json()) as { name: string }).name, name);
    }
  } finally {
    await hel1.stop();
  }

  const rec = join(dir, 'rec');
  const config = writeConfig(dir, { sources }, 'once.yaml');
  const recorded = await hel(['run', '--once', '-c', config, '--state', join(dir, 'r.db'), '--record-dir', rec], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(recorded.code, 0, recorded.stderr);
  const folders = readdirSync(rec).sort();
  assert.equal(folders.length, 3, `one folder per source, "a b" and "a_b" apart: ${folders.join(', ')}`);
  assert.ok(folders.includes('a_b'), 'a plain name is its own folder');
  assert.ok(
    folders.every((f) => /^[A-Za-z0-9._~-]+$/.test(f)),
    `file-system-safe names: ${folders.join(', ')}`,
  );
  const replayed = await hel(['run', '--once', '-c', config, '--state', join(dir, 'p.db'), '--replay-dir', rec], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.deepEqual(
    parseLines(replayed.stdout)
      .map((l) => [l.source, l.event.id])
      .sort(),
    NAMES.map((n, i) => [n, `/s${i}-1`]).sort(),
  );
});

test("Helr's argument order: hel state --config F set SOURCE KEY VALUE (and show), for a name with a space", async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, { global: { state: { path: join(dir, 'st.db') } }, sources: { 'okta audit': { url: 'https://example.okta.com/api/v1/logs' } } });
  const set = await hel(['state', '--config', config, 'set', 'okta audit', 'next_url', 'https://example.okta.com/api/v1/logs?after=abc']);
  assert.equal(set.code, 0, set.stderr);
  const show = await hel(['state', '-c', config, 'show', '--json', 'okta audit']);
  assert.equal(show.code, 0, show.stderr);
  assert.equal((JSON.parse(show.stdout) as Record<string, { next_url: string }>)['okta audit']!.next_url, 'https://example.okta.com/api/v1/logs?after=abc');
  const after = await hel(['state', 'show', 'okta audit', '--config', config, '--json']);
  assert.equal(after.code, 0, 'the options after the verb still work');
});

test('a Helr --record-dir (<dir>/<source>/NNN.json with url, status, headers, body_base64) replays in recorded order', async (t) => {
  const dir = tempDir(t);
  const folder = join(dir, 'recordings', 'okta-audit');
  mkdirSync(folder, { recursive: true });
  const page = (events: unknown[], link?: string) => ({
    url: 'https://example.okta.com/api/v1/logs?since=2024-01-01T00%3A00%3A00Z',
    status: 200,
    headers: { 'content-type': 'application/json', ...(link ? { link: `<${link}>; rel="next"` } : {}) },
    body_base64: Buffer.from(JSON.stringify(events)).toString('base64'),
  });
  writeFileSync(join(folder, '000.json'), JSON.stringify(page([{ uuid: 'u1', published: '2026-01-01T00:00:00Z' }], 'https://example.okta.com/api/v1/logs?after=u1')));
  writeFileSync(join(folder, '001.json'), JSON.stringify(page([{ uuid: 'u2', published: '2026-01-01T00:00:01Z' }])));
  const config = writeConfig(dir, {
    sources: {
      'okta-audit': {
        url: 'https://example.okta.com/api/v1/logs',
        from: '2024-01-01T00:00:00Z',
        auth: { type: 'bearer', token_env: 'OKTA_API_TOKEN', prefix: 'SSWS' },
        pagination: { strategy: 'link_header', rel: 'next' },
      },
    },
  });
  const replayed = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db'), '--replay-dir', join(dir, 'recordings')], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.deepEqual(
    parseLines(replayed.stdout).map((l) => l.event.uuid),
    ['u1', 'u2'],
  );
});
