import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGitHubFake } from '../../src/integrations/github/fake.js';
import { startGoogleFake } from '../../src/integrations/google-workspace/fake.js';
import { startOktaFake } from '../../src/integrations/okta/fake.js';
import { startSlackFake } from '../../src/integrations/slack/fake.js';
import { startTailscaleFake } from '../../src/integrations/tailscale/fake.js';
import type { RunningFake } from '../../src/integrations/fake-api.js';
import { bearer, cleanupScope, type Daemon, daemonGlobal, getJson, hel, parseLines, startDaemon, waitFor } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { CLI_TIMEOUT_MS, workspace, type Workspace } from '../helpers/workspace.js';

const NAMES = ['okta', 'gh', 'slack', 'ts', 'gws-login'];

/** The five new integrations in one config: record/replay, hel state, the API, metrics and the status page treat them alike. */
void describe('every integration in one hel, without special cases', () => {
  const fakes: RunningFake[] = [];
  let env: Record<string, string>;
  let sources: Record<string, unknown>;
  let ws: Workspace;
  const scope = cleanupScope();
  after(() => scope.run());

  before(async () => {
    const [okta, gh, slack, ts, gws] = await Promise.all([
      startOktaFake({ events: 3, seed: 'all' }),
      startGitHubFake({ events: 3, seed: 'all' }),
      startSlackFake({ events: 3, seed: 'all' }),
      startTailscaleFake({ events: 3, seed: 'all' }),
      startGoogleFake({ events: 3 }),
    ]);
    fakes.push(okta, gh, slack, ts, gws);
    env = {
      OKTA_API_TOKEN: okta.tokens.good,
      GITHUB_TOKEN: gh.tokens.good,
      SLACK_AUDIT_TOKEN: slack.tokens.good,
      TAILSCALE_API_KEY: ts.tokens.good,
      GWS_CREDENTIALS_JSON: gws.credentials.good,
      GWS_DELEGATED_USER: gws.admin,
    };
    sources = {
      okta: { type: 'okta', base_url: okta.url },
      gh: { type: 'github', org: 'acme', api_url: gh.url },
      slack: { type: 'slack', base_url: slack.url },
      ts: { type: 'tailscale', base_url: ts.url, lookback_secs: 172_800, lag_secs: 0 },
      gws: { type: 'google_workspace', base_url: gws.url, applications: ['login'] },
    };
    ws = workspace(scope, { sources });
  });
  after(() => Promise.all(fakes.map((f) => f.close())));

  it('records every integration, replays the recordings to the same events, and hel state shows each position', async () => {
    const recorded = await ws.hel(['run', '--once', '--record-dir', join(ws.dir, 'rec')], env);
    assert.equal(recorded.code, 0, recorded.stderr);
    const live = parseLines(recorded.stdout);
    assert.deepEqual([...new Set(live.map((l) => l.source))].sort(), [...NAMES].sort());
    assert.equal(live.length, 15);

    const replayed = await hel(['run', '--once', '-c', ws.config, '--replay-dir', join(ws.dir, 'rec')], { timeoutMs: CLI_TIMEOUT_MS });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.deepEqual(
      parseLines(replayed.stdout)
        .map((l) => l.event)
        .sort(byJson),
      live.map((l) => l.event).sort(byJson),
    );

    const state = await ws.hel(['state', 'show'], {});
    assert.equal(state.code, 0, state.stderr);
    for (const name of NAMES) assert.match(state.stdout, new RegExp(`^${name}\\b`, 'm'));
    assert.match(state.stdout, /window_end/);
    assert.match(state.stdout, /oldest/);
    assert.match(state.stdout, /start_time/);
  });

  it('the API names each source integration, and metrics and the status page list them', async () => {
    const dir = tempDir(scope);
    Object.assign(process.env, env);
    let daemon: Daemon | undefined;
    try {
      daemon = await startDaemon(dir, {
        global: daemonGlobal(dir, { output: { path: join(dir, 'events.ndjson') } }),
        sources,
      });
      const api = daemon.urls.api!;
      await waitFor(
        async () => {
          const { body } = await getJson(`${api}/healthz`);
          return (body.sources as { status: string }[]).every((s) => s.status === 'ok');
        },
        60_000,
        'every source ok',
      );
      for (const [name, type] of [
        ['okta', 'okta'],
        ['gh', 'github'],
        ['slack', 'slack'],
        ['ts', 'tailscale'],
        ['gws-login', 'google_workspace'],
      ]) {
        const { status, body } = await getJson(`${api}/api/v1/sources/${name}`, bearer);
        assert.equal(status, 200);
        assert.equal(((body.config as Record<string, unknown>).integration as { type: string }).type, type);
      }
      const metrics = await (await fetch(`${daemon.urls.metrics!}/metrics`)).text();
      for (const name of NAMES) assert.match(metrics, new RegExp(`source="${name}"`));
      const page = await (await fetch(`${api}/`)).text();
      for (const name of NAMES) assert.ok(page.includes(name), `status page lists ${name}`);
    } finally {
      const code: number | null = daemon ? await daemon.stop() : null;
      for (const key of Object.keys(env)) delete process.env[key];
      assert.equal(code, 0, daemon?.stderr());
    }
  });
});

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
