/**
 * The closest candidate to `word` if it is a likely typo (swapped, missing or extra letters) or a
 * shortened or lengthened name (`timeout` for `timeout_secs`, `warning` for `warn`). Short words
 * need a near-exact match so that `de` does not suggest `ca`.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  if (bestDistance <= allowed) return best;
  if (w.length < 4) return undefined;
  const extended = candidates.filter((c) => c.toLowerCase().startsWith(w)).sort((a, b) => a.length - b.length);
  if (extended[0] !== undefined) return extended[0];
  const shortened = candidates.filter((c) => c.length >= 4 && w.startsWith(c.toLowerCase())).sort((a, b) => b.length - a.length);
  return shortened[0];
}

/** Optimal string alignment distance: a swap of two neighbouring letters counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row[j] = d;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
