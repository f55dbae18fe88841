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
