import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import { writeConfig } from '../../helpers/hel-process.js';
import { json, scriptedServer } from '../../helpers/loopback.js';
import { filesUnder, runOnce } from './harness.js';

const SECRETS = {
  RR_BEARER: 'bearer-7Hq2-SENTINEL',
  RR_USER: 'svc-collector-SENTINEL',
  RR_PASSWORD: 'p@ss w/rd+SENTINEL',
  RR_API_KEY: 'apikey-Zx81-SENTINEL',
  RR_CLIENT_ID: 'client-id-SENTINEL',
  RR_CLIENT_SECRET: 'client-secret-Ab9-SENTINEL',
  RR_SESSION: 'session-header-SENTINEL',
};
const QUERY_SECRET = 'query-token-SENTINEL';
const ACCESS_TOKEN = 'issued-access-SENTINEL';
const REFRESH_TOKEN = 'issued-refresh-SENTINEL';

const basic = `Basic ${Buffer.from(`${SECRETS.RR_USER}:${SECRETS.RR_PASSWORD}`).toString('base64')}`;
const EXPECTED_AUTH: Record<string, [string, string]> = {
  '/bearer': ['authorization', `Bearer ${SECRETS.RR_BEARER}`],
  '/basic': ['authorization', basic],
  '/apikey': ['x-org-access', SECRETS.RR_API_KEY],
  '/oauth': ['authorization', `Bearer ${ACCESS_TOKEN}`],
};

void test('no credential reaches a recording file, in any form, and the recording still replays', async (t) => {
  const dir = tempDir(t);
  const server = await scriptedServer(t, (_n, req, res, body) => {
    const url = new URL(req.url ?? '/', server.url);
    if (url.pathname === '/token') {
      const form = new URLSearchParams(body);
      if (form.get('client_secret') !== SECRETS.RR_CLIENT_SECRET) return json(res, 401, { error: 'invalid_client' });
      return json(res, 200, { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, token_type: 'Bearer', expires_in: 3600 });
    }
    const [header, value] = EXPECTED_AUTH[url.pathname] ?? ['', ''];
    if (req.headers[header] !== value) return json(res, 401, { error: 'unauthorized' });
    // A careless API echoing credentials outside the events, and a session cookie.
    json(res, 200, { events: [{ id: url.pathname, timestamp: '2026-03-01T00:00:00Z' }], debug: { seen: `${header}: ${value}`, query: url.search } }, { 'set-cookie': `sid=${SECRETS.RR_SESSION}` });
  });
  const cfg = writeConfig(
    dir,
    `sources:
  bearer-src:
    url: ${server.url}/bearer
    query_params:
      api_token: ${QUERY_SECRET}
    headers:
      X-Session-Token: \${RR_SESSION}
    response_events_path: events
    auth: { type: bearer, token_env: RR_BEARER }
  basic-src:
    url: ${server.url}/basic
    response_events_path: events
    auth: { type: basic, user_env: RR_USER, password_env: RR_PASSWORD }
  apikey-src:
    url: ${server.url}/apikey
    response_events_path: events
    auth: { type: api_key, header: X-Org-Access, key_env: RR_API_KEY }
  oauth-src:
    url: ${server.url}/oauth
    response_events_path: events
    auth: { type: oauth2, token_url: ${server.url}/token, client_id_env: RR_CLIENT_ID, client_secret_env: RR_CLIENT_SECRET }
`,
  );
  const recordings = join(dir, 'recordings');

  const live = await runOnce(cfg, ['--state', join(dir, 'state.db'), '--record-dir', recordings], SECRETS);
  assert.equal(live.code, 0, live.stderr);
  assert.equal(server.requests.length, 5, 'four sources and one token request');

  const files = filesUnder(recordings);
  assert.equal(files.length, 5);
  const forbidden = [...Object.values(SECRETS), QUERY_SECRET, ACCESS_TOKEN, REFRESH_TOKEN];
  const forms = forbidden.flatMap((s) => [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2), Buffer.from(s).toString('base64')]);
  forms.push(basic.slice('Basic '.length));
  for (const [path, bytes] of files) {
    for (const form of forms) assert.ok(!bytes.includes(form), `${form} leaked into ${path}`);
  }

  await server.close();
  const replay = await runOnce(cfg, ['--replay-dir', recordings], { RR_SESSION: 'another-session' });
  assert.equal(replay.code, 0, replay.stderr);
  assert.deepEqual(replay.stdout.split('\n').sort(), live.stdout.split('\n').sort());
});
