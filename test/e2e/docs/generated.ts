import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Checks that the part of `page` between `begin` and the END marker is what `render` makes of it (it
 * gets the current part, to carry hand-written cells over); HEL_UPDATE_DOCS=1 rewrites it first.
 */
export function assertGenerated(page: string, begin: string, render: (current: string) => string, fix: string): void {
  const END = '<!-- END GENERATED -->';
  const text = readFileSync(page, 'utf8');
  const start = text.indexOf(begin);
  const end = text.indexOf(END, start);
  assert.ok(start >= 0 && end > start, `${page} lacks the generated-section markers`);
  const fresh = `${text.slice(0, start + begin.length)}\n\n${render(text.slice(start, end))}\n\n${text.slice(end)}`;
  if (process.env.HEL_UPDATE_DOCS === '1') writeFileSync(page, fresh);
  assert.equal(readFileSync(page, 'utf8'), fresh, `the generated part of ${page} is stale: run ${fix}`);
}

/** The cells of a Markdown table row (`\|` stays inside its cell). */
export function cells(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}
