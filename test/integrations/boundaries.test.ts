import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
const INTEGRATIONS = join(SRC, 'integrations');
const REGISTRY = join(INTEGRATIONS, 'registry.ts');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module a file imports (static `from '…'`, `import '…'` and dynamic `import('…')`), as paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** The vendor folder a path lies in (src/integrations/<vendor>/…), if any. */
function vendorOf(path: string): string | undefined {
  const rel = relative(INTEGRATIONS, path);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

test('no generic module imports from an integration folder; only the registry does', () => {
  const offenders: string[] = [];
  for (const file of tsFiles(SRC)) {
    const own = vendorOf(file);
    for (const target of importsOf(file)) {
      const vendor = vendorOf(target);
      if (vendor === undefined || vendor === own || file === REGISTRY) continue;
      offenders.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the check sees imports: the registry imports at least one vendor folder', () => {
  assert.ok(importsOf(REGISTRY).some((target) => vendorOf(target) !== undefined));
});

test("no generic module defines an integration's short form (its `type:` literal lives in the vendor folder)", async () => {
  const { integrations } = await import('../../src/integrations/registry.js');
  const offenders: string[] = [];
  for (const file of tsFiles(SRC).filter((f) => vendorOf(f) === undefined)) {
    const text = readFileSync(file, 'utf8');
    for (const { type } of integrations()) if (text.includes(`z.literal('${type}')`)) offenders.push(`${relative(SRC, file)} defines type: ${type}`);
  }
  assert.deepEqual(offenders, []);
});
