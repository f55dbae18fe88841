/** Reading the repository's Markdown the way the docs tests need it: files, fenced blocks, links, anchors. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** README.md, CHANGELOG.md and every page under docs/, as paths relative to the repository. */
export function markdownFiles(): string[] {
  const out = ['README.md', 'CHANGELOG.md'].filter((f) => exists(join(REPO, f)));
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.md')) out.push(relative(REPO, full));
    }
  };
  walk(join(REPO, 'docs'));
  return out;
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export interface Fence {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string after the fence: `yaml`, `yaml fragment`, `bash`, ... */
  info: string;
  body: string;
}

interface Scanned {
  fences: Fence[];
  /** The lines outside fenced blocks, with their 1-based numbers. */
  prose: { line: number; text: string }[];
}

/** Splits a Markdown file into fenced blocks (dedented by their fence's indentation) and prose lines. */
export function scan(file: string, text: string): Scanned {
  const fences: Fence[] = [];
  const prose: Scanned['prose'] = [];
  const lines = text.split('\n');
  let open: { indent: number; marker: string; info: string; line: number; body: string[] } | undefined;
  for (const [i, raw] of lines.entries()) {
    const m = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(raw);
    if (open) {
      if (m && m[2]!.startsWith(open.marker) && m[2]![0] === open.marker[0] && m[3] === '') {
        fences.push({ file, line: open.line, info: open.info, body: open.body.join('\n') + '\n' });
        open = undefined;
      } else {
        open.body.push(raw.slice(Math.min(open.indent, raw.length - raw.trimStart().length)));
      }
    } else if (m) {
      open = { indent: m[1]!.length, marker: m[2]!, info: m[3]!.trim(), line: i + 1, body: [] };
    } else {
      prose.push({ line: i + 1, text: raw });
    }
  }
  if (open) throw new Error(`${file}:${open.line}: a fenced block is never closed`);
  return { fences, prose };
}

/** GitHub's heading anchor: lower case, punctuation removed, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a page offers: its headings' slugs (with GitHub's -1, -2 for repeats) and explicit ids. */
export function anchorsOf(file: string, text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of scan(file, text).prose) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1]!);
  }
  return anchors;
}

export interface Link {
  file: string;
  line: number;
  target: string;
}

/** Inline links and images, and reference definitions, outside code. */
export function linksOf(file: string, text: string): Link[] {
  const out: Link[] = [];
  for (const { line, text: raw } of scan(file, text).prose) {
    const prose = raw.replace(/`[^`]*`/g, '``');
    for (const m of prose.matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ file, line, target: m[1]! });
    const ref = /^\s*\[[^\]]+\]:\s+(\S+)/.exec(prose);
    if (ref) out.push({ file, line, target: ref[1]! });
  }
  return out;
}

export function read(file: string): string {
  return readFileSync(join(REPO, file), 'utf8');
}
