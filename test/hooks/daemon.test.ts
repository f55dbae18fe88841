import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi, type FakeApi } from '../helpers/fake-api.js';
import { parseLines, startHel, waitFor, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { EXAMPLE_HOOKS } from '../helpers/hook-examples.js';

const logLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** An API whose every answer is one new event, so each poll emits exactly one line. */
async function oneEventApi(t: { after(fn: () => unknown): void }): Promise<FakeApi> {
  let n = 0;
  return fakeApi(t, () => ({ body: { items: [{ id: `e${++n}`, published: new Date(Date.UTC(2026, 10, 20, 0, 0, n)).toISOString() }] } }));
}

test('a hook in an endless loop and a hook allocating without bound are stopped, poll after poll, while the other source keeps collecting and hel stays up', async (t) => {
  const dir = tempDir(t);
  const api = await oneEventApi(t);
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true, timeout_secs: 2, memory_limit_mb: 32 } },
    sources: {
      looping: { url: `${api.url}/loop`, schedule: { interval_secs: 0.2 }, hooks: { script_inline: 'function parseResponse(ctx, response) { for (;;) {} }' } },
      bombing: {
        url: `${api.url}/bomb`,
        schedule: { interval_secs: 0.2 },
        hooks: { script_inline: 'function parseResponse(ctx, response) { var all = []; for (;;) all.push(new Array(1e6).fill(response.status)); }' },
      },
      healthy: { url: `${api.url}/ok`, schedule: { interval_secs: 0.2 } },
    },
  });
  const run = startHel(t, ['run', '-c', cfg]);
  const failures = (source: string, code: string) => logLines(run.stderr()).filter((l) => l.source === source && l.code === code);
  // Each poll of a runaway source is stopped and the next one starts a new sandbox: its requests keep coming.
  await waitFor(() => api.on('/loop').length >= 3 && api.on('/bomb').length >= 3, 60_000, 'three stopped polls of each runaway hook');
  const healthyBefore = api.on('/ok').length;
  await waitFor(() => api.on('/ok').length >= healthyBefore + 3, 30_000, 'the healthy source to keep polling');
  assert.equal(run.child.exitCode, null, 'hel is still running');
  assert.equal(parseLines(run.stdout()).filter((l) => l.source === 'healthy').length >= 3, true);
  assert.equal(
    parseLines(run.stdout()).some((l) => l.source !== 'healthy'),
    false,
  );
  // The same failure again is not logged again at warn level.
  assert.equal(failures('looping', 'HEL_HOOK_TIMEOUT').length, 1);
  assert.equal(failures('bombing', 'HEL_HOOK_MEMORY').length, 1);

  const loop = failures('looping', 'HEL_HOOK_TIMEOUT')[0]!;
  assert.equal(
    loop.msg,
    'poll failed: hook parseResponse of looping.inline.js ran longer than 2s (global.hooks.timeout_secs) and was stopped — look for a loop that never ends or a fetch() that waits on a slow server; raise global.hooks.timeout_secs only if the work is legitimately slow',
  );
  const bomb = failures('bombing', 'HEL_HOOK_MEMORY')[0]!;
  assert.equal(
    bomb.msg,
    'poll failed: hook parseResponse of bombing.inline.js used more than 32 MB (global.hooks.memory_limit_mb) and was stopped — have the hook keep less in memory, or raise global.hooks.memory_limit_mb',
  );
  run.child.kill('SIGTERM');
  assert.equal((await run.exited).code, 0);
});

test('an async getAuth trades a key for a token with fetch() against a loopback endpoint; the token is reused for auth_cache_ttl_secs and renewed after a 401', async (t) => {
  const dir = tempDir(t);
  let issued = 0;
  let valid = '';
  const tokens = await fakeApi(t, (req) => {
    if ((JSON.parse(req.body) as { api_key?: string }).api_key !== 'key-123') return { status: 403, body: { error: 'bad key' } };
    valid = `token-${++issued}`;
    return { body: { access_token: valid, expires_in: 3600 } };
  });
  let n = 0;
  const api = await fakeApi(t, (req) => {
    if (req.headers.authorization !== `Bearer ${valid}`) return { status: 401, body: { error: 'invalid token' } };
    n++;
    return { body: { records: [{ id: `r${n}`, created: new Date(Date.UTC(2026, 10, 20, 0, 0, n)).toISOString(), kind: 'login' }] } };
  });
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true, path: EXAMPLE_HOOKS, allow_network: true } },
    sources: { tok: { url: `${api.url}/events`, schedule: { interval_secs: 0.2 }, hooks: { script: 'token-exchange.js' } } },
  });
  const run = startHel(t, ['run', '-c', cfg], { env: { TOKEN_URL: `${tokens.url}/oauth/token`, API_KEY: 'key-123', HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => parseLines(run.stdout()).length >= 3, 30_000, 'three polls');
  assert.equal(tokens.requests.length, 1, 'one token for three polls');
  assert.deepEqual(
    api.requests.slice(0, 3).map((r) => r.headers.authorization),
    ['Bearer token-1', 'Bearer token-1', 'Bearer token-1'],
  );
  const first = parseLines(run.stdout())[0]!;
  assert.deepEqual(first, { ts: '2026-11-20T00:00:01.000Z', source: 'tok', endpoint: '/events', event: { id: 'r1', created: '2026-11-20T00:00:01.000Z', kind: 'login' }, meta: { kind: 'login' } });
  assert.deepEqual(
    logLines(run.stderr())
      .filter((l) => l.hook_console !== undefined)
      .map((l) => [l.source, l.hook, l.hook_console]),
    [['tok', 'getAuth', 'token exchanged for tok']],
  );

  // The server revokes the token: the next request is refused once, getAuth runs again, and the request is sent again.
  valid = 'revoked';
  const before = parseLines(run.stdout()).length;
  await waitFor(() => parseLines(run.stdout()).length >= before + 2, 30_000, 'polls after the revocation');
  assert.equal(tokens.requests.length, 2);
  assert.ok(api.requests.some((r) => r.headers.authorization === 'Bearer token-2'));
  assert.equal(logLines(run.stderr()).filter((l) => l.msg?.toString().startsWith('poll failed')).length, 0, 'no poll failed');
});

test('with auth_cache_ttl_secs: 0, getAuth runs once per poll', async (t) => {
  const dir = tempDir(t);
  const tokens = await fakeApi(t, () => ({ body: { access_token: 'fixed' } }));
  const api = await fakeApi(t, () => ({ body: { records: [] } }));
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true, path: EXAMPLE_HOOKS, allow_network: true, auth_cache_ttl_secs: 0 } },
    sources: { tok: { url: `${api.url}/events`, schedule: { interval_secs: 0.2 }, hooks: { script: join(EXAMPLE_HOOKS, 'token-exchange.js') } } },
  });
  const run = startHel(t, ['run', '-c', cfg], { env: { TOKEN_URL: `${tokens.url}/token`, API_KEY: 'key-123' } });
  await waitFor(() => api.requests.length >= 3, 30_000, 'three polls');
  run.child.kill('SIGTERM');
  await run.exited;
  assert.equal(tokens.requests.length, api.requests.length);
});

test('a page whose commitState fails is neither committed nor remembered by dedupe: the next poll writes its events', async (t) => {
  const dir = tempDir(t);
  let polls = 0;
  const api = await fakeApi(t, () => ({ body: { items: [{ id: 'e1', refuse: ++polls === 1 }] } }));
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true } },
    sources: {
      flaky: {
        url: `${api.url}/f`,
        schedule: { interval_secs: 0.2 },
        dedupe: { id_path: 'id' },
        hooks: { script_inline: 'function commitState(ctx, events) { if (events[0].event.refuse) throw new Error("state service down"); return { seen: events[0].event.id }; }' },
      },
    },
  });
  const run = startHel(t, ['run', '-c', cfg]);
  await waitFor(() => api.requests.length >= 3, 30_000, 'three polls');
  run.child.kill('SIGTERM');
  await run.exited;
  assert.match(run.stderr(), /poll failed: hook commitState threw: state service down/);
  assert.deepEqual(
    parseLines(run.stdout()).map((l) => l.event.id),
    ['e1'],
  );
});
