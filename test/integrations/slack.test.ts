import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSlackFake, type SlackFake } from '../../src/integrations/slack/fake.js';
import { parseLines, stateOf } from '../helpers/hel-process.js';
import type { Cleanups } from '../helpers/loopback.js';
import { closedAfter, workspace } from '../helpers/workspace.js';

/** The fake's clock: new entries are appended a few seconds after the backlog, without sleeping. */
let clock = Date.now();

function fake(t: Cleanups, options: Parameters<typeof startSlackFake>[0] = {}): Promise<SlackFake> {
  clock = Date.now();
  return closedAfter(t, startSlackFake({ events: 5, seed: 'test', now: () => clock, ...options }));
}

const ids = (stdout: string) => parseLines(stdout).map((l) => l.event.id);
const id = (n: number) => `0000${String(n).padStart(4, '0')}-slack-audit`;

test('slack short form → fake → NDJSON (newest first); a restart resumes from the oldest watermark and delivers only what is new', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { slack: { type: 'slack', base_url: api.url, limit: 2 } } });
  const env = { SLACK_AUDIT_TOKEN: api.tokens.good };
  const first = await ws.runOnce(env);
  assert.deepEqual(ids(first.stdout), [5, 4, 3, 2, 1].map(id));
  const state = (await stateOf(`${ws.dir}/state.db`)).slack!;
  assert.equal(state.cursor, undefined, 'next_cursor "" ended the poll; the position is the watermark');
  assert.match(String(state.oldest), /^\d{10}$/);

  clock += 5000;
  api.append(2);
  const before = api.requests.length;
  const second = await ws.runOnce(env);
  assert.deepEqual(ids(second.stdout), [7, 6].map(id));
  assert.match(api.requests[before]!, new RegExp(`oldest=${String(state.oldest)}`));
});

test('slack connection test: a good, a revoked and an under-scoped token', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { slack: { type: 'slack', base_url: api.url } } });
  const run = (token: string) => ws.hel(['test', '--source', 'slack'], { SLACK_AUDIT_TOKEN: token });
  const good = await run(api.tokens.good);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /ok\s+the token is accepted and may read the audit logs/);
  const revoked = await run(api.tokens.revoked);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stderr, /FAIL HTTP 401 Unauthorized \("token_revoked"\): Slack does not accept the token/);
  const scoped = await run(api.tokens.underScoped);
  assert.equal(scoped.code, 1);
  assert.match(scoped.stderr, /FAIL HTTP 403 Forbidden \("missing_scope"\): the token lacks auditlogs:read/);
});

test('slack rate limit: 429 with Retry-After is waited out without using up attempts', async (t) => {
  const api = await fake(t, { rateLimit: 2, rateLimitWindowMs: 1000, now: Date.now });
  const ws = workspace(t, { sources: { slack: { type: 'slack', base_url: api.url, limit: 1 } } });
  const run = await ws.runOnce({ SLACK_AUDIT_TOKEN: api.tokens.good });
  assert.deepEqual(ids(run.stdout), [5, 4, 3, 2, 1].map(id));
  assert.ok(
    api.requests.some((r) => r.endsWith(' 429')),
    'the fake did rate-limit',
  );
});

test("slack: the Rust Hel's documented example (host pointed at the fake) runs, and a second run delivers only what is new", async (t) => {
  const api = await fake(t);
  const ws = workspace(
    t,
    `sources:
  slack-audit:
    url: "http://\${SLACK_HOST}/audit/v1/logs"
    schedule:
      interval_secs: 300
      jitter_secs: 30
    auth:
      type: bearer
      token_env: SLACK_AUDIT_TOKEN
    headers:
      Accept: "application/json"
    query_params:
      limit: "200"
    pagination:
      strategy: cursor
      cursor_param: cursor
      cursor_path: response_metadata.next_cursor
      max_pages: 25
    resilience:
      timeout_secs: 30
      retries:
        max_attempts: 5
        initial_backoff_secs: 2
        max_backoff_secs: 60
        multiplier: 2.0
      rate_limit:
        respect_headers: true
        page_delay_secs: 2
`,
  );
  const env = { SLACK_HOST: new URL(api.url).host, SLACK_AUDIT_TOKEN: api.tokens.good };
  const first = await ws.runOnce(env);
  assert.equal(first.lines.length, 5);
  clock += 5000;
  api.append(1);
  const second = await ws.hel(['run', '--once'], env);
  assert.deepEqual(ids(second.stdout), [id(6)]);
});
