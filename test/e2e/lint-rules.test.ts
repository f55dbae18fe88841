import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

// The import rules pass silently when they cannot resolve a module (a resolver or extension setting
// gone wrong reports nothing), so prove on the real config and the real tree that they still fire.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const STORE = join(REPO, 'src/secrets/store.ts');

/** The import-x messages ESLint gives for `code` as if it were `file` (src/secrets/store.ts unless told). */
async function importProblems(code: string, file = STORE): Promise<string[]> {
  const eslint = new ESLint({ cwd: REPO });
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('import-x/')).map((m) => `${m.ruleId}: ${m.message}`);
}

void test('eslint: the secrets store importing the CLI command that imports it is a cycle and a layer violation; as committed it is neither', async () => {
  const committed = readFileSync(STORE, 'utf8');
  assert.deepEqual(await importProblems(committed), []);
  const header = "import { HelError } from '../errors.js';\n";
  assert.ok(committed.includes(header), 'the store imports HelError first');
  const cyclic = committed.replace(header, `${header}import { registerSecretsCommand } from '../cli/commands/secrets.js';\nexport const register = registerSecretsCommand;\n`);
  const problems = await importProblems(cyclic);
  assert.ok(
    problems.some((p) => /^import-x\/no-cycle: Dependency cycle/.test(p)),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => /^import-x\/no-restricted-paths: .*src\/secrets sits below .*cli/.test(p)),
    problems.join('\n'),
  );
});

void test('eslint: config/ and bus/ are layers: the config model and the bus may not import what sits above them; the config loader may run the integrations', async () => {
  const schema = join(REPO, 'src/config/schema.ts');
  const schemaText = readFileSync(schema, 'utf8');
  assert.deepEqual(await importProblems(schemaText, schema), []);
  const withRegistry = `${schemaText}\nimport { integrations } from '../integrations/registry.js';\nexport const registered = integrations;\n`;
  const modelProblems = await importProblems(withRegistry, schema);
  assert.ok(
    modelProblems.some((p) => /^import-x\/no-restricted-paths: .*the config model \(src\/config\/ but the loader\) sits below .*src\/integrations/.test(p)),
    modelProblems.join('\n'),
  );

  const load = join(REPO, 'src/config/load.ts');
  const loadText = readFileSync(load, 'utf8');
  assert.ok(loadText.includes("from '../integrations/registry.js'"), 'the loader imports the integrations registry');
  assert.deepEqual(await importProblems(loadText, load), []);
  const withRuntime = `${loadText}\nimport { Runtime } from '../engine/runtime.js';\nexport const runtime = Runtime;\n`;
  assert.ok((await importProblems(withRuntime, load)).some((p) => /^import-x\/no-restricted-paths: .*the config loader .* sits below .*src\/engine/.test(p)));

  const bus = join(REPO, 'src/bus/event-bus.ts');
  const busText = readFileSync(bus, 'utf8');
  assert.deepEqual(await importProblems(busText, bus), []);
  const withEvents = `${busText}\nimport type { HelEventMap } from '../app/hel-events.js';\nexport type Catalogue = HelEventMap;\n`;
  const busProblems = await importProblems(withEvents, bus);
  assert.ok(
    busProblems.some((p) => /^import-x\/no-restricted-paths: .*src\/bus sits below .*src\/app/.test(p)),
    busProblems.join('\n'),
  );
});
