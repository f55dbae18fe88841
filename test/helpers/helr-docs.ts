import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The YAML examples of the Rust Hel's docs, as copied into the repository (one file per example). */
export const HELR_DOCS_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/helr-docs/', import.meta.url));

/**
 * The Helr docs example `name` (e.g. "okta-1") as written, with each `from` string replaced by its
 * `to` (the vendor's https host pointed at a plain-http loopback fake), so a test runs the same
 * text the docs show instead of a second copy of it.
 */
export function helrDocExample(name: string, replacements: Record<string, string> = {}): string {
  let text = readFileSync(join(HELR_DOCS_FIXTURES, `${name}.yaml`), 'utf8');
  for (const [from, to] of Object.entries(replacements)) {
    if (!text.includes(from)) throw new Error(`${name}.yaml has no ${from}`);
    text = text.replaceAll(from, to);
  }
  return text;
}
