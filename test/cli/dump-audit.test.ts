import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cursorFeed, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { hel, startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const TOKEN = 'tok-4f9c1e77a0b2d3c5e6f7a8b9c0d1e2f3';
const CLIENT_SECRET = 'cs-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('SIGUSR1 with destination log, then file: state and metrics dumped, no secret in either; GET /startupz answers', async (t) => {
  const api = await fakeApi(t, (req) => (req.path === '/token' ? { body: { access_token: 'access-xyz', expires_in: 3600 } } : cursorFeed(makeEvents(5), 10)(req)));
  const dir = tempDir(t);
  const dumpPath = join(dir, 'dump.json');
  const sources = {
    bearer: { url: `${api.url}/a?token=${TOKEN}`, schedule: { interval_secs: 3600 }, auth: { type: 'bearer', token_env: 'TOK' }, pagination: cursor, dedupe: { id_path: 'uuid' } },
    oauth: { url: `${api.url}/b`, schedule: { interval_secs: 3600 }, auth: { type: 'oauth2', token_url: `${api.url}/token`, client_id_env: 'CID', client_secret_env: 'CSECRET' } },
  };
  const config = writeConfig(dir, { global: { api: { enabled: true, port: 0 }, dump_on_sigusr1: { destination: 'log' } }, sources });
  const env = { HEL_LOG_LEVEL: 'info', TOK: TOKEN, CID: 'client-id', CSECRET: CLIENT_SECRET };
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db')], { env });
  await waitFor(() => (proc.stderr().match(/"msg":"poll done"/g) ?? []).length === 2, 30_000, 'both first polls');

  const listening = jsonLines(proc.stderr()).find((l) => l.listener === 'api')!;
  const startup = await fetch(`http://127.0.0.1:${String(listening.port)}/startupz`);
  assert.equal(startup.status, 200);
  const body = (await startup.json()) as Record<string, unknown>;
  assert.equal(body.started, true);
  assert.match(String(body.version), /^\d+\.\d+\.\d+/);
  assert.equal(typeof body.uptime_secs, 'number');

  proc.child.kill('SIGUSR1');
  await waitFor(() => proc.stderr().includes('"msg":"SIGUSR1 dump"'), 20_000, 'the dump in the log');
  const dump = jsonLines(proc.stderr()).find((l) => l.msg === 'SIGUSR1 dump')!.dump as { state: Record<string, { keys: Record<string, unknown>; dedupe_window: number }>; metrics: string };
  assert.equal(dump.state.bearer!.keys.cursor, 'c000005');
  assert.equal(dump.state.bearer!.dedupe_window, 5);
  assert.match(dump.metrics, /hel_events_emitted_total\{source="bearer"\} 5/);

  // The destination is reloadable: the next dump goes to the file.
  writeConfig(dir, { global: { api: { enabled: true, port: 0 }, dump_on_sigusr1: { destination: 'file', path: dumpPath } }, sources });
  proc.child.kill('SIGHUP');
  await waitFor(() => proc.stderr().includes('"msg":"config reloaded"'), 20_000, 'the reload');
  proc.child.kill('SIGUSR1');
  await waitFor(() => existsSync(dumpPath), 20_000, 'the dump file');
  const fromFile = JSON.parse(readFileSync(dumpPath, 'utf8')) as { state: Record<string, unknown>; metrics: string };
  assert.deepEqual(Object.keys(fromFile.state).sort(), ['bearer', 'oauth']);
  assert.match(fromFile.metrics, /hel_polls_total\{source="oauth",result="ok"\} 1/);
  assert.equal(statSync(dumpPath).mode & 0o777, 0o600, 'the dump file is readable by its owner only');
  assert.equal(proc.child.exitCode, null, 'SIGUSR1 does not stop hel (nor open the inspector)');

  for (const [what, text] of [
    ['log', proc.stderr()],
    ['dump file', readFileSync(dumpPath, 'utf8')],
  ] as const) {
    assert.ok(!text.includes(TOKEN), `the bearer token is not in the ${what}`);
    assert.ok(!text.includes(CLIENT_SECRET), `the client secret is not in the ${what}`);
    assert.ok(!text.includes('access-xyz'), `the access token is not in the ${what}`);
  }
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(10_000, proc.exited, 'exit'), { code: 0, signal: null });
});

test('global.audit: config load and every credential read are logged with source and kind, never the value; log_credential_access: false silences the reads', async (t) => {
  const api = await fakeApi(t, (req) => (req.path === '/token' ? { body: { access_token: 'access-xyz', expires_in: 3600 } } : { body: { items: [{ id: req.n }] } }));
  const dir = tempDir(t);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  const sources = {
    bearer: { url: `${api.url}/a`, auth: { type: 'bearer', token_file: tokenFile } },
    oauth: { url: `${api.url}/b`, auth: { type: 'oauth2', token_url: `${api.url}/token`, client_id_env: 'CID', client_secret_env: 'CSECRET' } },
  };
  const env = { HEL_LOG_LEVEL: 'warn', CID: 'client-id', CSECRET: CLIENT_SECRET };
  const config = writeConfig(dir, { global: { log_format: 'json', audit: { enabled: true } }, sources });
  const run = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')], { env });
  assert.equal(run.code, 0, run.stderr);
  const audit = jsonLines(run.stderr).filter((l) => l.audit === true);
  const loaded = audit[0]!;
  assert.deepEqual([loaded.msg, loaded.path], ['audit: config loaded', config]);
  assert.match(String(loaded.sha256), /^[0-9a-f]{64}$/);
  const reads = audit
    .filter((l) => l.msg === 'audit: credential accessed')
    .map((l) => `${String(l.source)} ${String(l.kind)} ${String(l.from)} ${String(l.ref)}`)
    .sort();
  assert.deepEqual(reads, [`bearer bearer_token file ${tokenFile}`, 'oauth oauth2_client_id env CID', 'oauth oauth2_client_secret env CSECRET']);
  assert.ok(!run.stderr.includes(TOKEN) && !run.stdout.includes(TOKEN), 'the token is never logged');
  assert.ok(!run.stderr.includes(CLIENT_SECRET) && !run.stdout.includes(CLIENT_SECRET), 'the client secret is never logged');

  writeConfig(dir, { global: { log_format: 'json', audit: { enabled: true, log_credential_access: false } }, sources });
  const quiet = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')], { env });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.deepEqual(
    jsonLines(quiet.stderr)
      .filter((l) => l.audit === true)
      .map((l) => l.msg),
    ['audit: config loaded'],
  );

  writeConfig(dir, { global: { log_format: 'json' }, sources });
  const off = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')], { env });
  assert.equal(off.code, 0, off.stderr);
  assert.equal(jsonLines(off.stderr).filter((l) => l.audit === true).length, 0, 'audit is off by default');
});

test("global.audit: the HTTP output's credential reads are logged too (source global.output), never the value", async (t) => {
  const api = await fakeApi(t, () => ({ body: { items: [{ id: 1 }] } }));
  const receiver = await fakeApi(t, () => ({ status: 200, body: {} }));
  const dir = tempDir(t);
  const config = writeConfig(dir, {
    global: { log_format: 'json', audit: { enabled: true }, output: { http: { auth: { type: 'bearer', token_env: 'SINK_TOKEN' } } } },
    sources: { a: { url: `${api.url}/a` } },
  });
  const run = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db'), '--output', `${receiver.url}/ingest`], { env: { SINK_TOKEN: TOKEN } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(receiver.requests[0]!.headers.authorization, `Bearer ${TOKEN}`);
  const reads = jsonLines(run.stderr).filter((l) => l.msg === 'audit: credential accessed');
  assert.ok(reads.length > 0 && reads.every((l) => l.source === 'global.output' && l.kind === 'bearer_token' && l.ref === 'SINK_TOKEN'), JSON.stringify(reads));
  assert.ok(!run.stderr.includes(TOKEN));
});
