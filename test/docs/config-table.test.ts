/**
 * docs/configuration.md's key tables are generated from the schema that validates hel.yaml (the JSON
 * Schema `hel schema` prints), never written by hand: this test renders them and compares.
 * HEL_UPDATE_DOCS=1 (npm run docs:config) rewrites the generated part, keeping each key's Meaning.
 */
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../../src/cli/commands/schema.js';
import { meaningsOf, renderKeyTables } from './config-table.js';
import { assertGenerated } from './generated.js';

const PAGE = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED: key tables (test/docs/config-table.test.ts; npm run docs:config) -->';

void test('docs/configuration.md lists every key of the schema, with its type and default, exactly as the schema defines them', () => {
  assertGenerated(PAGE, BEGIN, (current) => renderKeyTables(configJsonSchema() as Record<string, unknown>, meaningsOf(current)), 'npm run docs:config');
});
