import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGitHubFake, type GitHubFake } from '../../src/integrations/github/fake.js';
import { parseLines } from '../helpers/hel-process.js';
import type { Cleanups } from '../helpers/loopback.js';
import { closedAfter, workspace } from '../helpers/workspace.js';

function fake(t: Cleanups, options: Parameters<typeof startGitHubFake>[0] = {}): Promise<GitHubFake> {
  return closedAfter(t, startGitHubFake({ events: 5, seed: 'test', ...options }));
}

const ids = (stdout: string) => parseLines(stdout).map((l) => l.event._document_id);

test('github short form → fake → NDJSON oldest first; a restart resumes from the saved link and delivers only what is new', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { gh: { type: 'github', org: 'acme', api_url: api.url, per_page: 2 } } });
  const env = { GITHUB_TOKEN: api.tokens.good };
  const first = await ws.runOnce(env);
  assert.deepEqual(ids(first.stdout), ['doc-00000001', 'doc-00000002', 'doc-00000003', 'doc-00000004', 'doc-00000005']);
  assert.ok(first.lines.every((l) => l.source === 'gh'));
  assert.match(api.requests[0]!, /^GET \/orgs\/acme\/audit-log\?per_page=2&order=asc 200$/);

  api.append(3);
  const before = api.requests.length;
  const second = await ws.runOnce(env);
  assert.deepEqual(ids(second.stdout), ['doc-00000006', 'doc-00000007', 'doc-00000008']);
  assert.match(api.requests[before]!, /after=/);
});

test('github connection test: a good, a revoked and an under-scoped token', async (t) => {
  const api = await fake(t);
  const ws = workspace(t, { sources: { gh: { type: 'github', enterprise: 'acme-ent', api_url: api.url } } });
  const run = (token: string) => ws.hel(['test', '--source', 'gh'], { GITHUB_TOKEN: token });
  const good = await run(api.tokens.good);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /ok\s+the token is accepted and may read the audit log\n[\s\S]*ok\s+token scopes: read:audit_log/);
  const revoked = await run(api.tokens.revoked);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stderr, /FAIL HTTP 401 Unauthorized \("Bad credentials"\): GitHub does not accept the token/);
  const scoped = await run(api.tokens.underScoped);
  assert.equal(scoped.code, 1);
  assert.match(scoped.stderr, /FAIL HTTP 403 Forbidden \("Resource not accessible by personal access token"\): the token lacks read:audit_log/);
});

test('github rate limits: the primary limit (403, remaining 0) waits for the reset; a secondary limit (403 + retry-after) is retried; neither blames permissions', async (t) => {
  const api = await fake(t, { rateLimit: 2, rateLimitWindowMs: 1500 });
  api.inject({ status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } });
  const ws = workspace(t, { sources: { gh: { type: 'github', org: 'acme', api_url: api.url, per_page: 1 } } });
  const run = await ws.runOnce({ GITHUB_TOKEN: api.tokens.good, HEL_LOG_LEVEL: 'warn' });
  assert.equal(run.lines.length, 5);
  assert.match(run.stderr, /HTTP 403 Forbidden \(\\"You have exceeded a secondary rate limit.*retrying in 1 s/);
  assert.doesNotMatch(run.stderr, /permission|read:audit_log/);
});

test("github: the Rust Hel's enterprise example (host pointed at the fake) runs, and a second run delivers only what is new", async (t) => {
  const api = await fake(t);
  const ws = workspace(
    t,
    `sources:
  github-audit:
    url: "http://\${GITHUB_API_HOST}/enterprises/\${GITHUB_ENTERPRISE}/audit-log"
    schedule:
      interval_secs: 300
      jitter_secs: 30
    auth:
      type: bearer
      token_env: GITHUB_TOKEN
    headers:
      Accept: "application/vnd.github+json"
      X-GitHub-Api-Version: "2022-11-28"
      User-Agent: "Helr"
    query_params:
      per_page: "100"
      order: "asc"
    pagination:
      strategy: link_header
      rel: next
      max_pages: 15
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
  const env = { GITHUB_API_HOST: new URL(api.url).host, GITHUB_ENTERPRISE: 'acme-ent', GITHUB_TOKEN: api.tokens.good };
  const first = await ws.runOnce(env);
  assert.equal(first.lines.length, 5);
  api.append(1);
  const second = await ws.hel(['run', '--once'], env);
  assert.deepEqual(ids(second.stdout), ['doc-00000006'], 'dedupe on _document_id is a github default for a written-out source');
});
