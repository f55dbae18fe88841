import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTailscaleFake, type TailscaleFake } from '../../src/integrations/tailscale/fake.js';
import { parseLines, stateOf } from '../helpers/hel-process.js';
import type { Cleanups } from '../helpers/loopback.js';
import { helrDocExample } from '../helpers/helr-docs.js';
import { closedAfter, workspace } from '../helpers/workspace.js';

function fake(t: Cleanups): Promise<TailscaleFake> {
  return closedAfter(t, startTailscaleFake({ events: 5, seed: 'test' }));
}

const groups = (stdout: string) => parseLines(stdout).map((l) => l.event.eventGroupID);
const TWO_DAYS = 2 * 86_400;

test('tailscale short form → fake → NDJSON; a restart asks from the saved window end and delivers only what is new', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { ts: { type: 'tailscale', tailnet: 'example.com', base_url: api.url, auth: 'basic', lookback_secs: TWO_DAYS, lag_secs: 0 } } });
  const env = { TAILSCALE_API_KEY: api.tokens.good };
  const first = await ws.runOnce(env);
  assert.deepEqual(groups(first.stdout), ['grp-00000001', 'grp-00000002', 'grp-00000003', 'grp-00000004', 'grp-00000005']);
  const end = (await stateOf(`${ws.dir}/state.db`)).ts!.window_end as string;
  assert.match(api.requests[0]!, /^GET \/api\/v2\/tailnet\/example\.com\/logging\/configuration\?start=.*&end=.* 200$/);

  api.append(2);
  const second = await ws.runOnce(env);
  assert.deepEqual(groups(second.stdout), ['grp-00000006', 'grp-00000007']);
  assert.ok(api.requests[1]!.includes(`start=${encodeURIComponent(end.replace('Z', '000001Z'))}`), api.requests[1]);
});

test('tailscale connection test: a good, a revoked and an under-scoped key', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { ts: { type: 'tailscale', base_url: api.url } } });
  const run = (token: string) => ws.hel(['test', '--source', 'ts'], { TAILSCALE_API_KEY: token });
  const good = await run(api.tokens.good);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /ok\s+the API access token is accepted/);
  const revoked = await run(api.tokens.revoked);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stderr, /FAIL HTTP 401 Unauthorized \("API token invalid"\): Tailscale does not accept the key/);
  const scoped = await run(api.tokens.underScoped);
  assert.equal(scoped.code, 1);
  assert.match(scoped.stderr, /FAIL HTTP 403 Forbidden .*: the key lacks logs:configuration:read/);
});

test('tailscale rate limit: a 429 with Retry-After is waited out and the window is still collected', async (t) => {
  const api = await fake(t);
  api.inject({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'rate limit exceeded' } }, 2);
  const ws = workspace(t, { sources: { ts: { type: 'tailscale', base_url: api.url, lookback_secs: TWO_DAYS, lag_secs: 0, schedule: { interval_secs: 300 } } } });
  const run = await ws.runOnce({ TAILSCALE_API_KEY: api.tokens.good });
  assert.equal(run.lines.length, 5);
  assert.deepEqual(
    api.requests.map((r) => r.slice(-3)),
    ['429', '429', '200'],
  );
});

test("tailscale: the Rust Hel's documented example (empty password variable; host pointed at the fake) runs, and a second run asks for nothing it has seen", async (t) => {
  const api = await fake(t);
  const ws = workspace(t, helrDocExample('tailscale-1', { 'https://api.tailscale.com': 'http://${TAILSCALE_HOST}' }));
  const env = {
    TAILSCALE_HOST: new URL(api.url).host,
    TAILNET_ID: 'example.com',
    TAILSCALE_START: new Date(Date.now() - 3 * 86_400_000).toISOString(),
    TAILSCALE_END: new Date(Date.now() + 60_000).toISOString(),
    TAILSCALE_API_TOKEN: api.tokens.good,
    TAILSCALE_API_TOKEN_PASSWORD: '',
  };
  const validate = await ws.hel(['validate'], env);
  assert.equal(validate.code, 0, validate.stderr);
  const first = await ws.runOnce(env);
  assert.equal(first.lines.length, 5);
  const second = await ws.runOnce({ ...env, TAILSCALE_END: new Date(Date.now() + 120_000).toISOString() });
  assert.equal(second.lines.length, 0);
  assert.equal(api.requests.length, 2);
  assert.ok(api.requests[1]!.includes('start=' + encodeURIComponent(env.TAILSCALE_END.replace('Z', '000001Z'))), api.requests[1]);
});
