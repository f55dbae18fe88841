import { integrationNamed, integrations } from '../integrations/registry.js';
import type { KeyPath } from './locate.js';

/** Hints that depend on where in hel.yaml a problem is, not on what kind of problem it is. */
const OUT_OF_RANGE = new Set(['invalid_value', 'too_big', 'too_small']);

/** `entryType` is the `type:` of the short-form entry the path lies in, whose integration may know its keys. */
export function hintFor(path: KeyPath, code: string, value: unknown, entryType?: string): string | undefined {
  const [top, name, key] = path;
  if (top === 'sources' && path.length === 1) {
    if (value === undefined) return 'add a sources: map with at least one source; examples/hel.yaml is a starting point';
    if (Array.isArray(value)) return 'write each source as `name:` followed by its keys, not as a list item `- ...`';
    if (code === 'custom') return 'add at least one source under sources:, e.g. the 1Password block from examples/hel.yaml';
    return 'sources: is a map of source name to source';
  }
  if (top === 'sources' && name !== undefined && path.length === 2 && code === 'invalid_type') {
    return `a source is a map with url: and its settings, or with type: ${integrations()
      .map((i) => i.type)
      .join(' | ')}`;
  }
  if (top === 'sources' && key === 'url' && path.length === 3 && code === 'invalid_format' && typeof value === 'string' && !/^[a-z]+:\/\//i.test(value)) {
    return 'write the full URL with its scheme, e.g. https://events.1password.com/api/v2/auditevents';
  }
  if (top === 'sources' && typeof key === 'string' && path.length === 3 && entryType !== undefined && OUT_OF_RANGE.has(code)) {
    const hint = integrationNamed(entryType)?.keyHints?.[key];
    if (hint !== undefined) return hint;
  }
  const last = path[path.length - 1];
  if (last === 'header' && path[path.length - 2] === 'auth' && value === undefined) return 'the HTTP header that carries the key, e.g. header: X-Api-Key';
  if (typeof value === 'boolean' && (last === 'circuit_breaker' || last === 'api' || last === 'metrics')) return `write it as a map: ${last}: { enabled: ${value} }`;
  if (last === 'port' && (code === 'too_big' || code === 'too_small')) return 'a TCP port is 0-65535';
  if (path.length === 0 && code === 'invalid_type') return 'hel.yaml is a map with `sources:` and optionally `global:`';
  return undefined;
}
