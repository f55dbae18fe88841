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

/** The import-x messages ESLint gives for `code` as if it were src/secrets/store.ts. */
async function importProblems(code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: REPO });
  const [result] = await eslint.lintText(code, { filePath: STORE });
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
