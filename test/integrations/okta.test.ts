import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startOktaFake, type OktaFake } from '../../src/integrations/okta/fake.js';
import type { Cleanups } from '../helpers/loopback.js';
import { helrDocExample } from '../helpers/helr-docs.js';
import { closedAfter, workspace } from '../helpers/workspace.js';

function fake(t: Cleanups, options: Parameters<typeof startOktaFake>[0] = {}): Promise<OktaFake> {
  return closedAfter(t, startOktaFake({ events: 5, seed: 'test', ...options }));
}

test('okta short form → fake → NDJSON; a restart resumes from the saved next link and delivers only what is new', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { okta: { type: 'okta', base_url: api.url, limit: 2 } } });
  const env = { OKTA_API_TOKEN: api.tokens.good };
  const first = await ws.runOnce(env);
  const lines = first.lines;
  assert.deepEqual(
    lines.map((l) => l.event.uuid),
    ['okta-evt-00000001', 'okta-evt-00000002', 'okta-evt-00000003', 'okta-evt-00000004', 'okta-evt-00000005'],
  );
  assert.ok(lines.every((l) => l.source === 'okta' && l.ts === l.event.published));
  assert.match(api.requests[0]!, /^GET \/api\/v1\/logs\?limit=2&sortOrder=ASCENDING 200$/);

  api.append(2);
  const before = api.requests.length;
  const second = await ws.runOnce(env);
  assert.deepEqual(
    second.lines.map((l) => l.event.uuid),
    ['okta-evt-00000006', 'okta-evt-00000007'],
  );
  assert.match(api.requests[before]!, /after=/, 'the restart continues from the saved next link');
});

test('okta connection test: a good, a revoked and an under-scoped token', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { okta: { type: 'okta', base_url: api.url } } });
  const run = (token: string) => ws.hel(['test', '--source', 'okta'], { OKTA_API_TOKEN: token });
  const good = await run(api.tokens.good);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /Okta System Log connection test\n\s+ok\s+the token is accepted and may read the System Log/);
  assert.match(good.stderr, /x-rate-limit-remaining=/);
  const revoked = await run(api.tokens.revoked);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stderr, /FAIL HTTP 401 Unauthorized \("Invalid token provided"\).*invalid or revoked/);
  const scoped = await run(api.tokens.underScoped);
  assert.equal(scoped.code, 1);
  assert.match(scoped.stderr, /FAIL HTTP 403 Forbidden.*admin role cannot read the System Log/);
  const online = await ws.hel(['validate', '--online'], { OKTA_API_TOKEN: api.tokens.revoked });
  assert.equal(online.code, 1);
  assert.match(online.stdout, /okta: connection test\n\s+FAIL HTTP 401/);
});

test('okta rate limit: Hel stops at X-Rate-Limit-Remaining 0 until the reset and never draws a 429', async (t) => {
  const api = await fake(t, { rateLimit: 2, rateLimitWindowMs: 1500 });
  const ws = workspace(t, { sources: { okta: { type: 'okta', base_url: api.url, limit: 1 } } });
  const run = await ws.runOnce({ OKTA_API_TOKEN: api.tokens.good });
  assert.equal(run.lines.length, 5);
  assert.ok(api.requests.length >= 6);
  assert.deepEqual(
    api.requests.filter((r) => r.endsWith(' 429')),
    [],
  );
});

test("okta: the Rust Hel's documented example (its host pointed at the fake) runs, and a second run delivers only what is new", async (t) => {
  const api = await fake(t);
  const yaml = helrDocExample('okta-1', { 'https://': 'http://' }); /* bearer with prefix: SSWS */
  const ws = workspace(t, yaml);
  const env = { OKTA_DOMAIN: new URL(api.url).host, OKTA_API_TOKEN: api.tokens.good };
  const first = await ws.runOnce(env);
  assert.equal(first.lines.length, 5);
  api.append(1);
  const second = await ws.runOnce(env);
  assert.deepEqual(
    second.lines.map((l) => l.event.uuid),
    ['okta-evt-00000006'],
  );
});
