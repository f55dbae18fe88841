/**
 * docs/configuration.md's key tables are generated from the schema that validates hel.yaml (the JSON
 * Schema `hel schema` prints), never written by hand: this test renders them and compares.
 * HEL_UPDATE_DOCS=1 (npm run docs:config) rewrites the generated part, keeping each key's Meaning.
 */
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../../../src/cli/commands/schema.js';
import { meaningsOf, renderKeyTables } from './config-table.js';
import { assertGenerated } from './generated.js';

const PAGE = fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED: key tables (test/e2e/docs/config-table.test.ts; npm run docs:config) -->';

void test('docs/configuration.md lists every key of the schema, with its type and default, exactly as the schema defines them', (t) => {
  assertGenerated(PAGE, BEGIN, (current) => renderKeyTables(configJsonSchema() as Record<string, unknown>, meaningsOf(current)), 'npm run docs:config');
  // A key added since the last edit has an empty Meaning cell: say which, so someone writes it.
  const unexplained = readFileSync(PAGE, 'utf8')
    .split('\n')
    .filter((line) => /^\| `[^`]+` \|.*\| {2}\|$/.test(line));
  for (const line of unexplained) t.diagnostic(`no Meaning yet: ${line.split(' | ')[0]!.slice(2)}`);
});
