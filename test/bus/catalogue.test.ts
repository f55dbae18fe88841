import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(REPO, 'src');

/** Event name → the src files (relative to src/) that emit it, or that subscribe to it. */
type Uses = Map<string, Set<string>>;

function scanSources(): { emitted: Uses; subscribed: Uses } {
  const emitted: Uses = new Map();
  const subscribed: Uses = new Map();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) {
        for (const m of readFileSync(full, 'utf8').matchAll(/\.(emit|on)\('([a-z_]+\.[a-z_]+)'/g)) {
          const uses = m[1] === 'emit' ? emitted : subscribed;
          const files = uses.get(m[2]!) ?? new Set<string>();
          files.add(relative(SRC, full));
          uses.set(m[2]!, files);
        }
      }
    }
  };
  walk(SRC);
  return { emitted, subscribed };
}

/** The rows of the table under "### Events" in docs/architecture.md. */
function documented(): { emitted: Uses; subscribed: Uses } {
  const text = readFileSync(join(REPO, 'docs/architecture.md'), 'utf8');
  const section = text.slice(text.indexOf('### Events'));
  const emitted: Uses = new Map();
  const subscribed: Uses = new Map();
  const files = (cell: string) => new Set([...cell.matchAll(/`([\w/.-]+\.ts)`/g)].map((m) => m[1]!));
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([a-z_]+\.[a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name === undefined) continue;
    emitted.set(name, files(cells[3]!));
    subscribed.set(name, files(cells[4]!));
  }
  return { emitted, subscribed };
}

const sorted = (uses: Uses) => Object.fromEntries([...uses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));

void test('docs/architecture.md lists every event of the bus, who emits it and who subscribes, as the code does', () => {
  const code = scanSources();
  const docs = documented();
  assert.ok(docs.emitted.size >= 20, `the table was read (${docs.emitted.size} rows)`);
  assert.deepEqual(sorted(docs.emitted), sorted(code.emitted), 'Emitted by');
  // An event nobody subscribes to has the empty set in the docs and no entry in the code.
  const subscribedInDocs = new Map([...docs.subscribed].filter(([, v]) => v.size > 0));
  assert.deepEqual(sorted(subscribedInDocs), sorted(code.subscribed), 'Subscribers');
});
