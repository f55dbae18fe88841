import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../helpers/cli.js';
import { fakeApi } from '../../helpers/fake-api.js';
import { hel, parseLines, stateOf } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { CLEAN_ENV } from '../../helpers/validate-cli.js';
import { EXAMPLE_HOOKS } from '../../helpers/hook-examples.js';

const PAGE = readFileSync(fileURLToPath(new URL('../../../../docs/hooks.md', import.meta.url)), 'utf8');
const blocks = (info: string) => [...PAGE.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === info).map((m) => m[2]!);

test('docs/hooks.md: every complete YAML example validates and every fragment parses', async (t) => {
  const complete = blocks('yaml');
  assert.ok(complete.length >= 1);
  for (const yaml of complete) {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'hel.yaml'), yaml);
    const r = await runCli(['validate', '-c', 'hel.yaml'], { cwd: dir, env: CLEAN_ENV });
    assert.equal(r.code, 0, `${yaml}\n${r.stderr}`);
  }
  for (const fragment of blocks('yaml fragment')) assert.doesNotThrow(() => parseYaml(fragment) as unknown, fragment);
});

test('docs/hooks.md: every script shown is a file of examples/hooks, which the other hook tests run', () => {
  const files = readdirSync(EXAMPLE_HOOKS)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(EXAMPLE_HOOKS, f), 'utf8'));
  const scripts = blocks('js');
  assert.ok(scripts.length >= 2);
  for (const script of scripts) assert.ok(files.includes(script), `not an example file:\n${script.slice(0, 200)}`);
});

test('docs/hooks.md: the first hook asks from its saved time, reads `results` and saves the newest time', async (t) => {
  const dir = tempDir(t);
  const all = [
    { id: 'x1', occurred_at: '2026-03-01T10:00:00Z', what: 'login' },
    { id: 'x2', occurred_at: '2026-03-01T11:00:00Z', what: 'logout' },
  ];
  const api = await fakeApi(t, (req) => ({ body: { results: all.filter((r) => r.occurred_at > (req.query.get('since') ?? '')) } }));
  // The example keeps the default state file, ./hel-state.db: here in the temporary directory.
  writeFileSync(join(dir, 'hel.yaml'), blocks('yaml')[0]!.replace('https://api.example.com/v1/audit', `${api.url}/v1/audit`));
  const first = await hel(['run', '--once', '-c', join(dir, 'hel.yaml')], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(
    parseLines(first.stdout).map((l) => [l.ts, l.event.id]),
    [
      ['2026-03-01T10:00:00Z', 'x1'],
      ['2026-03-01T11:00:00Z', 'x2'],
    ],
  );
  assert.equal(api.requests[0]?.url, '/v1/audit?since=2026-01-01T00%3A00%3A00Z&limit=500');
  assert.equal((await stateOf(join(dir, 'hel-state.db')))['audit-trail']?.last_seen, '2026-03-01T11:00:00Z');
  const second = await hel(['run', '--once', '-c', join(dir, 'hel.yaml')], { cwd: dir });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(api.requests[1]?.url, '/v1/audit?since=2026-03-01T11%3A00%3A00Z&limit=500');
  assert.equal(second.stdout, '');
});
