import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export type RotationPolicy = { kind: 'none' } | { kind: 'daily' } | { kind: 'size'; maxBytes: number };

export function parseRotation(spec: string | undefined): RotationPolicy {
  if (spec === undefined) return { kind: 'none' };
  if (spec === 'daily') return { kind: 'daily' };
  const m = /^size:(\d+)$/.exec(spec);
  if (m && Number(m[1]) > 0) return { kind: 'size', maxBytes: Number(m[1]) * 1024 * 1024 };
  throw new Error(`invalid rotation "${spec}": use daily or size:<MB>`);
}

/** `events.ndjson` → `events.2026-11-22.ndjson` (daily) or `events.2026-11-22T10-00-00.ndjson` (size). */
export function rotatedName(path: string, date: Date, policy: RotationPolicy): string {
  const ext = extname(path);
  const stem = basename(path, ext);
  const iso = date.toISOString();
  const stamp = policy.kind === 'daily' ? iso.slice(0, 10) : iso.slice(0, 19).replace(/:/g, '-');
  return join(dirname(path), `${stem}.${stamp}${ext}`);
}

/**
 * The files rotated out of `path`, oldest first, then `path` itself: the order the output was
 * written in. Stamps sort as text; `.1`, `.2` (same stamp, see FileSink) come after the plain name.
 */
export async function outputSequence(path: string): Promise<string[]> {
  const ext = extname(path);
  const stem = basename(path, ext);
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(\\d{4}-\\d{2}-\\d{2}(?:T\\d{2}-\\d{2}-\\d{2})?)(?:\\.(\\d+))?${escapeRegExp(ext)}$`);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    names = [];
  }
  const rotated = names
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ name, stamp: match[1]!, n: Number(match[2] ?? 0) }))
    .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.n - b.n));
  return [...rotated.map((r) => join(dirname(path), r.name)), path];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
