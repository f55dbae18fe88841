import type { LineCounter, YAMLError } from 'yaml';
import type { ConfigIssue } from './errors.js';
import { cut } from './show-value.js';

const HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs',
  DUPLICATE_KEY: 'each key may appear once per map; remove or rename one of them',
  MISSING_CHAR: 'close the quote on the same line, or remove it',
  BAD_INDENT: 'keys of one map must start in the same column',
  BLOCK_AS_IMPLICIT_KEY: 'put the nested map on its own indented lines, or quote a value containing ": "',
};

/**
 * YAML syntax errors as config issues: the message without the library's repeated " at line X,
 * column Y:" and code excerpt, one issue per line (a broken line often yields a cascade).
 */
export function yamlIssues(errors: readonly YAMLError[], text: string, lineCounter: LineCounter, file: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const lines = new Set<number>();
  for (const e of errors) {
    let pos = e.linePos?.[0];
    let message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
    if (e.code === 'MISSING_CHAR' && /quote/.test(message)) {
      const open = openingQuote(text, e.pos[0], message.includes("'") ? "'" : '"');
      if (open !== undefined) {
        pos = lineCounter.linePos(open);
        message = `${message.includes("'") ? 'single' : 'double'} quote opened here is never closed`;
      }
    }
    if (e.code === 'DUPLICATE_KEY') {
      const key = /^[^:\n]*/.exec(text.slice(e.pos[0]))?.[0].trim();
      if (key) message = `duplicate key ${key.startsWith('"') || key.startsWith("'") ? cut(key) : JSON.stringify(cut(key))}`;
    }
    if (pos && lines.has(pos.line)) continue;
    if (pos) lines.add(pos.line);
    issues.push({
      file,
      line: pos?.line,
      column: pos?.col,
      path: '',
      message: `YAML syntax error: ${message}`,
      hint: HINTS[e.code] ?? 'check indentation and quoting',
    });
  }
  return issues;
}

/** Offset of the quote that opened the unterminated scalar: the last quote before `end` with an odd count on its line. */
function openingQuote(text: string, end: number, quote: string): number | undefined {
  let lineEnd = Math.min(end, text.length);
  while (lineEnd > 0) {
    const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
    const line = text.slice(lineStart, lineEnd);
    const count = line.split(quote).length - 1 - (quote === '"' ? (line.match(/\\"/g)?.length ?? 0) : 0);
    if (count % 2 === 1) return lineStart + line.lastIndexOf(quote);
    if (lineStart === 0) return undefined;
    lineEnd = lineStart - 1;
  }
  return undefined;
}
