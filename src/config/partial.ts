import type { z } from 'zod';
import { sourceSchema, type SourceConfig } from './schema.js';

/**
 * A source with schema errors, parsed again without its broken top-level keys, so that the checks
 * needing the environment (unset tokens, missing files) still report on its intact parts in the
 * same run. `pruned` lists the keys whose checks must be ignored.
 */
export function partialSource(raw: unknown, error: z.ZodError): { source: SourceConfig; pruned: Set<string> } | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const pruned = new Set<string>();
  for (const issue of error.issues) {
    const top = issue.path[0];
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) issue.keys.forEach((k) => pruned.add(k));
    else if (typeof top === 'string') pruned.add(top);
  }
  // The body checks depend on the method; a broken method would make them guess.
  if (pruned.has('method')) pruned.add('body');
  const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => !pruned.has(k)));
  const result = sourceSchema.safeParse(rest);
  return result.success ? { source: result.data, pruned } : undefined;
}
