import { generateKeyPairSync } from 'node:crypto';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { fakeApi, type SeenRequest } from '../../helpers/fake-api.js';
import { hel, parseLines } from '../../helpers/hel-process.js';
import { HELR_DOCS_FIXTURES } from '../../helpers/helr-docs.js';
import { tempDir } from '../../helpers/tmp.js';
import { CLI_TIMEOUT_MS } from '../../helpers/workspace.js';

/**
 * Helr's shipped helr.yaml and every complete YAML example of its docs (test/fixtures/helr-docs,
 * copied from /work/shared/reference/helr: a source block is put under `sources:`, a `global:` block
 * gets a minimal source), through `hel validate`; those with an HTTP source also run once against a
 * loopback fake standing in for every vendor host.
 */
const EXAMPLE_HOOKS = fileURLToPath(new URL('../../../../examples/hooks/', import.meta.url));

/**
 * Examples that need a key another engineer adds this session; the lead empties this set at merge,
 * and every example in it is still run below, expecting the failure that names the missing key.
 */
const PENDING: Record<string, { branch: string; key: RegExp }> = {};

/** Examples whose hook script Helr does not ship (hooks.md only names my-source.js and graphql-audit.js; stand-ins are in the fixtures' hooks/): validated, not run. */
const NO_SCRIPT = new Set(['hooks-1.yaml', 'hooks-3.yaml']);

/** Examples that need a GraphQL server rather than the one-page vendor fake: test/hooks/andromeda.test.ts runs Helr's Andromeda hook against one. */
const RUN_ELSEWHERE = new Set(['andromeda-2.yaml']);

/**
 * The hook scripts where the examples look for them (global.hooks.path: ./hooks, from the working
 * directory): Helr's Andromeda hook as shipped in examples/hooks, and the fixtures' stand-ins.
 */
function placeHookScripts(dir: string): void {
  cpSync(join(HELR_DOCS_FIXTURES, 'hooks'), join(dir, 'hooks'), { recursive: true });
  cpSync(join(EXAMPLE_HOOKS, 'andromeda-audit.js'), join(dir, 'hooks', 'andromeda-audit.js'));
}

const fixtures = readdirSync(HELR_DOCS_FIXTURES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** A value for every variable the example reads: `${VAR}` and `*_env: NAME`. */
function envFor(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) env[m[1]!] = 'example';
  for (const m of text.matchAll(/_env:\s*"?([A-Za-z_][A-Za-z0-9_]*)/g)) env[m[1]!] = `token-for-${m[1]!.toLowerCase()}`;
  // A private key variable (OAuth2 private_key_jwt) must hold a real PEM key.
  for (const name of Object.keys(env).filter((n) => /PRIVATE_KEY/.test(n)))
    env[name] = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Tailscale's examples put a time window in the URL.
  if ('TAILSCALE_START' in env) Object.assign(env, { TAILSCALE_START: '2026-01-01T00:00:00Z', TAILSCALE_END: '2026-01-02T00:00:00Z' });
  return env;
}

/** One page that every vendor's shape can read: the events under each usual key, no next page. */
function vendorFake(req: SeenRequest) {
  // A client that proves possession (DPoP, RFC 9449) gets a DPoP-bound token, as Okta answers it.
  if (/token$/.test(req.path)) return { body: { access_token: 'fake-access-token', token_type: req.headers.dpop ? 'DPoP' : 'Bearer', expires_in: 3600 } };
  const event = {
    id: 'e1',
    uuid: 'e1',
    _document_id: 'e1',
    published: '2026-01-01T00:00:00Z',
    date_create: 1767225600,
    eventTime: '2026-01-01T00:00:00Z',
    '@timestamp': 1767225600000,
    timestamp: '2026-01-01T00:00:00Z',
  };
  return { body: { items: [event], entries: [event], logs: [event], cursor: 'c1', has_more: false, response_metadata: { next_cursor: '' } } };
}

test('the fixtures are every complete example: helr.yaml, hooks.md and each source or global block of the integration docs', () => {
  assert.ok(fixtures.includes('helr.yaml'));
  assert.equal(fixtures.length, 16, fixtures.join(', '));
  for (const name of Object.keys(PENDING)) assert.ok(fixtures.includes(name), `${name} is pending but not a fixture`);
});

for (const name of fixtures) {
  const pending = PENDING[name];
  test(`${name}: hel validate${pending ? ` (pending on branch ${pending.branch})` : ''}`, async (t) => {
    const text = readFileSync(join(HELR_DOCS_FIXTURES, name), 'utf8');
    const dir = tempDir(t);
    placeHookScripts(dir);
    const result = await hel(['validate', '-c', join(HELR_DOCS_FIXTURES, name)], { cwd: dir, env: envFor(text), timeoutMs: CLI_TIMEOUT_MS });
    if (pending) {
      assert.equal(result.code, 2, `${name} now validates: remove it from PENDING\n${result.stdout}${result.stderr}`);
      assert.match(result.stderr, pending.key);
      return;
    }
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /config valid/);
  });
}

for (const name of fixtures.filter((f) => PENDING[f] === undefined && !NO_SCRIPT.has(f) && !RUN_ELSEWHERE.has(f))) {
  test(`${name}: runs once against a fake of the vendor`, async (t) => {
    const api = await fakeApi(t, vendorFake);
    const dir = tempDir(t);
    const original = readFileSync(join(HELR_DOCS_FIXTURES, name), 'utf8');
    // Every vendor host becomes the fake; the API server binds loopback on a free port.
    const text = original
      .replace(/https:\/\/[^/"\s]+/g, api.url)
      .replace(/address: "0\.0\.0\.0"/g, 'address: "127.0.0.1"')
      .replace(/port: \d+/g, 'port: 0');
    const config = join(dir, name);
    writeFileSync(config, text);
    placeHookScripts(dir);
    const result = await hel(['run', '--once', '-c', config], { cwd: dir, env: envFor(original), timeoutMs: CLI_TIMEOUT_MS });
    assert.equal(result.code, 0, result.stderr);
    const sources = Object.keys((parseYaml(original) as { sources: Record<string, unknown> }).sources);
    const lines = parseLines(result.stdout);
    assert.ok(api.requests.length >= 1, 'the fake was asked');
    for (const source of sources)
      assert.ok(
        lines.some((l) => l.source === source && l.event.id === 'e1'),
        `${source} delivered the fake's event: ${result.stdout}`,
      );
  });
}
