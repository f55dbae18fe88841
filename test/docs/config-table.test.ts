/**
 * docs/configuration.md's key tables are generated from the schema that validates hel.yaml (the JSON
 * Schema `hel schema` prints), never written by hand: this test renders them and compares.
 * HEL_UPDATE_DOCS=1 (npm run docs:config) rewrites the generated part, keeping each key's Meaning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../../src/cli/commands/schema.js';
import { meaningsOf, renderKeyTables } from './config-table.js';

const PAGE = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED: key tables (test/docs/config-table.test.ts; npm run docs:config) -->';
const END = '<!-- END GENERATED -->';

void test('docs/configuration.md lists every key of the schema, with its type and default, exactly as the schema defines them', () => {
  const page = readFileSync(PAGE, 'utf8');
  const start = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  assert.ok(start >= 0 && end > start, `${PAGE} lacks the generated-section markers`);
  const tables = renderKeyTables(configJsonSchema() as Record<string, unknown>, meaningsOf(page.slice(start, end)));
  const fresh = `${page.slice(0, start + BEGIN.length)}\n\n${tables}\n\n${page.slice(end)}`;
  if (process.env.HEL_UPDATE_DOCS === '1') writeFileSync(PAGE, fresh);
  assert.equal(readFileSync(PAGE, 'utf8'), fresh, 'the key tables in docs/configuration.md are stale: run npm run docs:config');
});
