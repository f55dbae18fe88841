/** A compiled dotted path (`data.items`, `a.0.b`): split once, walked per event. */
export type CompiledPath = readonly string[];

export function compilePath(path: string): CompiledPath {
  return path.split('.').filter((s) => s.length > 0);
}

export function getPath(value: unknown, path: CompiledPath): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
