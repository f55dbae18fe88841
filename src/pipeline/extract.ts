import { compilePath, getPath, type CompiledPath } from './path.js';

const DEFAULT_KEYS = ['items', 'data', 'events', 'logs', 'entries', 'results'] as const;

/**
 * Finds the events in a response body: `response_events_path` if configured, else a top-level
 * array, else the first of items/data/events/logs/entries/results that holds an array.
 * Returns undefined when none is found, so the caller can fail loudly instead of guessing.
 */
export function eventExtractor(eventsPath: string | undefined): (body: unknown) => unknown[] | undefined {
  if (eventsPath !== undefined) {
    const path: CompiledPath = compilePath(eventsPath);
    return (body) => {
      const found = getPath(body, path);
      return Array.isArray(found) ? (found as unknown[]) : found === undefined || found === null ? [] : undefined;
    };
  }
  return (body) => {
    if (Array.isArray(body)) return body as unknown[];
    if (body === null || typeof body !== 'object') return undefined;
    for (const key of DEFAULT_KEYS) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as unknown[];
    }
    return undefined;
  };
}
