import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { CLEAN_ENV, assertProblems, validateYaml } from '../helpers/validate-cli.js';

/** The global.hooks block of Helr's shipped helr.yaml, as it is there. */
const HELR_YAML_HOOKS = `global:
  log_level: info
  log_format: json
  state:
    backend: sqlite
    path: "./helr-state.db"
  hooks:
    enabled: true
    path: "./hooks"
    timeout_secs: 5
    allow_network: true
`;

test("the global.hooks block of Helr's helr.yaml validates, with Helr's Andromeda source using it", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'hooks'));
  writeFileSync(join(dir, 'hooks', 'andromeda-audit.js'), 'function buildRequest(ctx) { return null; }\n');
  const yaml = `${HELR_YAML_HOOKS}sources:
  andromeda-audit:
    url: "https://api.live.andromedasecurity.com/graphql"
    method: post
    hooks:
      script: "andromeda-audit.js"
    dedupe:
      id_path: "id"
      capacity: 100000
`;
  writeFileSync(join(dir, 'hel.yaml'), yaml);
  const r = await runCli(['validate', '-c', 'hel.yaml'], { cwd: dir, env: CLEAN_ENV });
  assert.equal(r.code, 0, r.stderr);
});

test("Helr's documented hooks config (every global.hooks key, a script file, an inline script) validates", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'hooks'));
  writeFileSync(join(dir, 'hooks', 'my-source.js'), 'function buildRequest(ctx) { return null; }\n');
  const yaml = `global:
  hooks:
    enabled: true
    path: "./hooks"
    timeout_secs: 5
    memory_limit_mb: 64
    allow_network: true
    allow_fs: false
    auth_cache_ttl_secs: 600

sources:
  my-source:
    url: "https://api.example.com/events"
    hooks:
      script: "my-source.js"
  inline-source:
    url: "https://api.example.com/other"
    hooks:
      script_inline: |
        function buildRequest(ctx) { return { query: { limit: "100" } }; }
        function parseResponse(ctx, response) {
          var body = typeof response.body === "string" ? JSON.parse(response.body) : response.body;
          return (body.items || []).map(function(e) {
            return { ts: e.published || "", source: ctx.sourceId, event: e, meta: {} };
          });
        }
`;
  writeFileSync(join(dir, 'hel.yaml'), yaml);
  const r = await runCli(['validate', '-c', 'hel.yaml'], { cwd: dir, env: CLEAN_ENV });
  assert.equal(r.code, 0, r.stderr);
});

test('hooks config mistakes: a typo, an out-of-range limit, hooks used while disabled, script and script_inline both', async (t) => {
  const yaml = `global:
  hooks:
    enabled: false
    timeout_sec: 5
    memory_limit_mb: 8
sources:
  a:
    url: https://a.example/
    hooks:
      script: a.js
  b:
    url: https://a.example/
    hooks:
      script: a.js
      script_inline: "function x() {}"
`;
  assertProblems(await validateYaml(t, yaml), [
    'hel.yaml:4:5 global.hooks.timeout_sec: unknown key (did you mean "timeout_secs"?)',
    'hel.yaml:5:22 global.hooks.memory_limit_mb: a number is too small: must be at least 16',
    'hel.yaml:10:7 sources.a.hooks: this source has hooks, but hooks are disabled (set global.hooks.enabled: true; docs/hooks.md explains hooks)',
    'hel.yaml:14:7 sources.b.hooks: set exactly one of script or script_inline',
  ]);
});

test('a missing script, a script that does not compile, and an empty hooks block are config errors with the line', async (t) => {
  const yaml = `global:
  hooks:
    enabled: true
    path: ./nowhere
sources:
  a:
    url: https://a.example/
    hooks:
      script: missing.js
  c:
    url: https://a.example/
    hooks:
      script_inline: |
        function getAuth(ctx) {
          return { headers: { "X": ctx.env.X } ;
        }
  d:
    url: https://a.example/
    hooks: {}
`;
  assertProblems(await validateYaml(t, yaml), [
    'hel.yaml:9:15 sources.a.hooks.script: hook script nowhere/missing.js does not exist (a relative script is read from global.hooks.path (./nowhere); give an absolute path or fix the path)',
    "hel.yaml:13:22 sources.c.hooks.script_inline: hook script c.inline.js line 2 does not compile: Unexpected token ';' (hooks are plain JavaScript (no import/export); check the script with node --check)",
    'hel.yaml:19:12 sources.d.hooks: set exactly one of script or script_inline',
  ]);
});
