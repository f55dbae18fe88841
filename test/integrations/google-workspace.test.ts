import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startGoogleFake, type GoogleFake } from '../../src/integrations/google-workspace/fake.js';
import { hel, parseLines, startHel, stateOf } from '../helpers/hel-process.js';
import type { Cleanups } from '../helpers/loopback.js';
import { CLI_TIMEOUT_MS, closedAfter, workspace } from '../helpers/workspace.js';

/** The fake's clock: new activities are listed minutes after the backlog, without sleeping. */
let clock = Date.now();

function fake(t: Cleanups, options: Parameters<typeof startGoogleFake>[0] = {}): Promise<GoogleFake> {
  clock = Date.now();
  return closedAfter(t, startGoogleFake({ events: 5, now: () => clock, ...options }));
}

/** The short form's defaults: the key's JSON in GWS_CREDENTIALS_JSON, the admin in GWS_DELEGATED_USER. */
const envOf = (api: GoogleFake, key = api.credentials.good) => ({ GWS_CREDENTIALS_JSON: key, GWS_DELEGATED_USER: api.admin });

const qualifiers = (stdout: string, source?: string) =>
  parseLines(stdout)
    .filter((l) => source === undefined || l.source === source)
    .map((l) => (l.event.id as { uniqueQualifier: string }).uniqueQualifier);

const MINUTE = 60_000;

test('google_workspace short form → fake → NDJSON: one source per application, a JWT-bearer token per source, pageToken pages newest first', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { gws: { type: 'google_workspace', base_url: api.url, applications: ['login', 'admin'], max_results: 2 } } });
  const run = await ws.runOnce(envOf(api));
  const lines = run.lines;
  assert.equal(lines.length, 10);
  assert.deepEqual([...new Set(lines.map((l) => l.source))].sort(), ['gws-admin', 'gws-login']);
  assert.ok(lines.every((l) => l.ts === (l.event.id as { time: string }).time));
  const login = lines.filter((l) => l.source === 'gws-login').map((l) => l.ts);
  assert.deepEqual(login, [...login].sort().reverse(), 'Google lists newest first; Hel delivers in page order');
  // Three pages per application, one token per source, cached across its pages.
  assert.equal(api.requests.filter((r) => r === 'POST /token 200').length, 2);
  assert.equal(api.requests.filter((r) => /^GET \/admin\/reports\/v1\/activity\/users\/all\/applications\/login\?maxResults=2(&pageToken=\S+)? 200$/.test(r)).length, 3);
  assert.doesNotMatch(run.stderr, /PRIVATE KEY|ya29\./, 'neither the key nor a token is logged');
});

test('google_workspace: a restart resumes from the startTime watermark minus the overlap; late activities are read, repeats dropped, nothing re-read from the start', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { gws: { type: 'google_workspace', base_url: api.url, applications: ['login'], max_results: 2 } } });
  const env = envOf(api);
  const first = await ws.runOnce(env);
  assert.equal(qualifiers(first.stdout).length, 5);
  const saved = (await stateOf(`${ws.dir}/state.db`))['gws-login']!;
  assert.equal(saved.cursor, undefined, 'the last page has no nextPageToken: the position is the watermark');
  const newest = first.lines[0]!.ts;
  assert.equal(saved.start_time, newest);

  clock += MINUTE;
  api.append('login', 2);
  let before = api.requests.length;
  const second = await ws.runOnce(env);
  assert.equal(qualifiers(second.stdout).length, 2, 'only the two new activities');
  const startTime = new Date(Date.parse(newest) - 15 * MINUTE).toISOString();
  assert.ok(
    api.requests.slice(before).some((r) => r.includes(`startTime=${encodeURIComponent(startTime)}`)),
    `asks from ${startTime}: ${api.requests.slice(before).join(' | ')}`,
  );

  // Google lists an activity of five minutes ago only now: inside the 15-minute overlap.
  clock += MINUTE;
  const late = api.appendLate('login', 5 * MINUTE);
  before = api.requests.length;
  const third = await ws.runOnce(env);
  assert.deepEqual(qualifiers(third.stdout), [late.id.uniqueQualifier], 'the late activity, and none of the overlap again');

  const fourth = await ws.runOnce(env);
  assert.deepEqual(qualifiers(fourth.stdout), [], 'nothing new: nothing delivered, nothing re-read from the start');
  const gets = api.requests.slice(before).filter((r) => r.startsWith('GET'));
  assert.ok(gets.length > 0 && gets.every((r) => r.includes('startTime=') || r.includes('pageToken=')), gets.join(' | '));
});

test('google_workspace connection test (hel test and validate --online): a good, a revoked and an under-scoped credential', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { gws: { type: 'google_workspace', base_url: api.url, applications: ['login'] } } });
  const run = (key: string) => ws.hel(['test', '--source', 'gws-login'], envOf(api, key));
  const good = await run(api.credentials.good);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /Google Workspace Reports API connection test\n\s+ok\s+the service account got a token and may read login activities/);
  const revoked = await run(api.credentials.revoked);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stderr, /FAIL OAuth2 token request failed: HTTP 400 \(Invalid JWT Signature\.\): the key in the credentials was deleted or disabled/);
  const scoped = await run(api.credentials.underScoped);
  assert.equal(scoped.code, 1);
  assert.match(scoped.stderr, /FAIL OAuth2 token request failed: HTTP 401 \(Client is unauthorized .*\): domain-wide delegation is not granted for this scope/);
  const online = await ws.hel(['validate', '--online'], envOf(api, api.credentials.underScoped));
  assert.equal(online.code, 1);
  assert.match(online.stdout, /gws-login: connection test\n\s+FAIL OAuth2 token request failed: HTTP 401/);
  for (const result of [good, revoked, scoped, online]) assert.doesNotMatch(result.stdout + result.stderr, /PRIVATE KEY|MII/, 'the private key is never printed');
});

test('google_workspace: a subject that is no admin, a token without the Reports scope, and a subject outside the domain each get their fix', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { gws: { type: 'google_workspace', base_url: api.url, applications: ['login'] } } });
  const notAdmin = await ws.hel(['test', '--source', 'gws-login'], { ...envOf(api), GWS_DELEGATED_USER: api.user });
  assert.equal(notAdmin.code, 1);
  assert.match(notAdmin.stderr, /FAIL HTTP 403 Forbidden \("Not Authorized to access this resource\/api"\): the subject may not read reports/);
  const stranger = await ws.hel(['test', '--source', 'gws-login'], { ...envOf(api), GWS_DELEGATED_USER: 'someone@elsewhere.example' });
  assert.match(stranger.stderr, /FAIL OAuth2 token request failed: HTTP 400 \(Invalid email or User ID\): the subject is not a user of the domain/);

  // Written out in full with a Directory scope only: Google issues the token, the Reports API refuses it.
  const full = workspace(t, {
    sources: {
      'gws-login': {
        url: `${api.url}/admin/reports/v1/activity/users/all/applications/login`,
        auth: { type: 'google_service_account', credentials_env: 'GWS_CREDENTIALS_JSON', subject_env: 'GWS_DELEGATED_USER', scopes: ['https://www.googleapis.com/auth/admin.directory.user.readonly'] },
        pagination: { strategy: 'cursor', cursor_param: 'pageToken', cursor_path: 'nextPageToken' },
      },
    },
  });
  const validate = await full.hel(['validate'], envOf(api));
  assert.equal(validate.code, 2, validate.stdout);
  assert.match(validate.stdout + validate.stderr, /auth\.scopes.*does not include https:\/\/www\.googleapis\.com\/auth\/admin\.reports\.audit\.readonly/);
});

test('google_workspace rate limit: 429 rateLimitExceeded (no Retry-After) is backed off from 5 s and every activity still arrives', async (t) => {
  const api = await fake(t, { events: 4, rateLimit: 2, rateLimitWindowMs: 3000, now: Date.now });
  const times: number[] = [];
  const lines: string[] = [];
  const ws = workspace(t, { sources: { gws: { type: 'google_workspace', base_url: api.url, applications: ['token'], max_results: 1 } } });
  const run = ws.hel(['run', '--once'], envOf(api));
  const poll = setInterval(() => {
    while (lines.length < api.requests.length) {
      lines.push(api.requests[lines.length]!);
      times.push(Date.now());
    }
  }, 20);
  const result = await run;
  clearInterval(poll);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(qualifiers(result.stdout).length, 4);
  const limited = api.requests.map((r, i) => [r, i] as const).filter(([r]) => r.endsWith(' 429'));
  assert.ok(limited.length >= 1, api.requests.join(' | '));
  for (const [, i] of limited) assert.ok(times[i + 1]! - times[i]! >= 3500, `waited ${times[i + 1]! - times[i]!} ms after a 429`);
});

test("google_workspace: the Rust Hel's service-account example (helr.yaml, its host pointed at the fake) runs as written, and a second run delivers only what is new", async (t) => {
  const api = await fake(t);
  const yaml = `sources:
  gws-login:
    url: "${api.url}/admin/reports/v1/activity/users/all/applications/login"
    schedule:
      interval_secs: 300
      jitter_secs: 30
    auth:
      type: google_service_account
      credentials_file: "./credentials.json"
      subject_env: GWS_DELEGATED_USER
      scopes:
        - "https://www.googleapis.com/auth/admin.reports.audit.readonly"
    pagination:
      strategy: cursor
      cursor_param: pageToken
      cursor_path: nextPageToken
      max_pages: 50
    query_params:
      maxResults: "500"
    resilience:
      timeout_secs: 30
      retries:
        max_attempts: 5
        initial_backoff_secs: 2
        max_backoff_secs: 60
        multiplier: 2.0
      circuit_breaker:
        enabled: true
        failure_threshold: 5
        success_threshold: 2
        half_open_timeout_secs: 60
`;
  const ws = workspace(t, yaml);
  writeFileSync(join(ws.dir, 'credentials.json'), api.credentials.good, { mode: 0o600 });
  const env = { GWS_DELEGATED_USER: api.admin };
  const run = () => hel(['run', '--once', '-c', ws.config, '--state', join(ws.dir, 'state.db')], { env, cwd: ws.dir, timeoutMs: CLI_TIMEOUT_MS });
  const first = await run();
  assert.equal(first.code, 0, first.stderr);
  assert.equal(qualifiers(first.stdout).length, 5);
  clock += MINUTE;
  api.append('login', 1);
  const second = await run();
  assert.equal(second.code, 0, second.stderr);
  assert.equal(qualifiers(second.stdout).length, 1);
  const check = await hel(['test', '--source', 'gws-login', '-c', ws.config, '--state', join(ws.dir, 'state.db')], { env, cwd: ws.dir, timeoutMs: CLI_TIMEOUT_MS });
  assert.match(check.stderr, /ok\s+the service account got a token and may read login activities/);
});

test('google_workspace validate: a misspelt application, an OAuth client file instead of a key, a subject that is no email, an old start_time', async (t) => {
  const api = await fake(t, { events: 0 });
  const ws = workspace(t, { sources: { gws: { type: 'google_workspace', base_url: api.url, applications: ['logins'] } } });
  const typo = await ws.hel(['validate'], envOf(api));
  assert.equal(typo.code, 2);
  assert.match(typo.stdout + typo.stderr, /sources\.gws\.applications\.0[\s\S]*login[\s\S]*user_accounts/);

  const client = JSON.stringify({ installed: { client_id: 'x.apps.googleusercontent.com', client_secret: 'GOCSPX-not-a-key' } });
  const old = workspace(t, { sources: { gws: { type: 'google_workspace', base_url: api.url, start_time: '2020-01-01T00:00:00Z' } } });
  const wrong = await old.hel(['validate'], { GWS_CREDENTIALS_JSON: client, GWS_DELEGATED_USER: 'admin' });
  assert.equal(wrong.code, 2);
  const out = wrong.stdout + wrong.stderr;
  assert.match(out, /sources\.gws\.credentials_env[\s\S]*miss client_email and private_key/);
  assert.match(out, /sources\.gws\.subject_env[\s\S]*not an email address/);
  assert.doesNotMatch(out, /GOCSPX/, 'the file content is never echoed');
  const ok = await old.hel(['validate'], envOf(api));
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout + ok.stderr, /start_time is more than 180 days back/);
});

test('the complete YAML examples of docs/integrations/google-workspace.md and the OAuth example of okta.md pass hel validate', async (t) => {
  const api = await fake(t, { events: 0 });
  const docs = ['google-workspace.md', 'okta.md'].map((name) => readFileSync(new URL(`../../../docs/integrations/${name}`, import.meta.url), 'utf8'));
  const blocks = docs.flatMap((text) => [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!));
  const env = { ...envOf(api), OKTA_DOMAIN: 'dev-12345.okta.com', OKTA_CLIENT_ID: '0oa1', OKTA_CLIENT_PRIVATE_KEY: 'pem', OKTA_API_TOKEN: 'token' };
  assert.ok(blocks.some((b) => b.includes('google_workspace')) && blocks.some((b) => b.includes('dpop: true')));
  for (const block of blocks) {
    const ws = workspace(t, block);
    const result = await ws.hel(['validate'], env);
    assert.equal(result.code, 0, `${block}\n${result.stdout}${result.stderr}`);
  }
});

test('google_workspace: kill -9 in the middle of a poll; the restart resumes from the saved pageToken and the file holds every activity once', async (t) => {
  const running: { hel?: ReturnType<typeof startHel> } = {};
  let pages = 0;
  const api = await fake(t, {
    events: 60,
    onRequest: (line) => {
      if (line.startsWith('GET') && ++pages === 4) running.hel?.child.kill('SIGKILL');
    },
  });
  const ws = workspace(t, { sources: { gws: { type: 'google_workspace', base_url: api.url, applications: ['drive'], max_results: 10 } } });
  const out = join(ws.dir, 'out.ndjson');
  const args = ['run', '--once', '-c', ws.config, '--state', join(ws.dir, 'state.db'), '-o', out];
  const first = (running.hel = startHel(t, args, { env: envOf(api) }));
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL', first.stderr());
  const before = api.requests.length;
  const restart = startHel(t, args, { env: envOf(api) });
  const done = await restart.exited;
  assert.equal(done.code, 0, restart.stderr());
  const resumed = api.requests.slice(before).find((r) => r.startsWith('GET'))!;
  assert.match(resumed, /pageToken=/, `the restart continues from the saved page: ${resumed}`);
  const delivered = readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { event: { id: { uniqueQualifier: string } } }).event.id.uniqueQualifier);
  assert.equal(new Set(delivered).size, 60, 'nothing lost');
  assert.equal(delivered.length, 60, 'nothing twice');
});
