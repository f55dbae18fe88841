import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGoogleFake, type GoogleFake } from '../../src/integrations/google-workspace/fake.js';
import { parseLines, stateOf } from '../helpers/hel-process.js';
import { workspace } from './helpers.js';

/** The fake's clock: new activities are listed minutes after the backlog, without sleeping. */
let clock = Date.now();

async function fake(t: { after(fn: () => unknown): void }, options: Parameters<typeof startGoogleFake>[0] = {}): Promise<GoogleFake> {
  clock = Date.now();
  const f = await startGoogleFake({ events: 5, now: () => clock, ...options });
  t.after(() => f.close());
  return f;
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
  const run = await ws.hel(['run', '--once'], envOf(api));
  assert.equal(run.code, 0, run.stderr);
  const lines = parseLines(run.stdout);
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
  const first = await ws.hel(['run', '--once'], env);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(qualifiers(first.stdout).length, 5);
  const saved = (await stateOf(`${ws.dir}/state.db`))['gws-login']!;
  assert.equal(saved.cursor, undefined, 'the last page has no nextPageToken: the position is the watermark');
  const newest = parseLines(first.stdout)[0]!.ts;
  assert.equal(saved.start_time, newest);

  clock += MINUTE;
  api.append('login', 2);
  let before = api.requests.length;
  const second = await ws.hel(['run', '--once'], env);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(qualifiers(second.stdout).length, 2, 'only the two new activities');
  const startTime = new Date(Date.parse(newest) - 15 * MINUTE).toISOString();
  assert.ok(api.requests.slice(before).some((r) => r.includes(`startTime=${encodeURIComponent(startTime)}`)), `asks from ${startTime}: ${api.requests.slice(before).join(' | ')}`);

  // Google lists an activity of five minutes ago only now: inside the 15-minute overlap.
  clock += MINUTE;
  const late = api.appendLate('login', 5 * MINUTE);
  before = api.requests.length;
  const third = await ws.hel(['run', '--once'], env);
  assert.equal(third.code, 0, third.stderr);
  assert.deepEqual(qualifiers(third.stdout), [late.id.uniqueQualifier], 'the late activity, and none of the overlap again');

  const fourth = await ws.hel(['run', '--once'], env);
  assert.equal(fourth.code, 0, fourth.stderr);
  assert.deepEqual(qualifiers(fourth.stdout), [], 'nothing new: nothing delivered, nothing re-read from the start');
  const gets = api.requests.slice(before).filter((r) => r.startsWith('GET'));
  assert.ok(gets.length > 0 && gets.every((r) => r.includes('startTime=') || r.includes('pageToken=')), gets.join(' | '));
});
