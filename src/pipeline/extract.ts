import { compilePath, getPath, type CompiledPath } from './path.js';

const DEFAULT_KEYS = ['items', 'data', 'events', 'logs', 'entries', 'results'] as const;

export interface ExtractOptions {
  /** Dotted path of the events array (`response_events_path`). */
  eventsPath?: string;
  /** Dotted path of the event inside each element (`response_event_object_path`, e.g. GraphQL `node`). */
  objectPath?: string;
  /**
   * Without `eventsPath`, an object that holds no events array is one event (as in Helr); false
   * makes it an error instead (Helr's streaming parser, `response_streaming`). `{}` is no event.
   */
  objectIsEvent?: boolean;
}

/** Why a body yielded no events list, for the parse error. */
export type Extracted = { events: unknown[] } | { problem: string; hint: string };

/**
 * Finds the events in a response body: `response_events_path` if configured, else a top-level
 * array, else the first of items/data/events/logs/entries/results that holds an array, else the
 * object itself as one event. Anything else is a problem the caller reports (on_parse_error).
 */
export function eventExtractor(options: ExtractOptions = {}): (body: unknown) => Extracted {
  const list = listFinder(options);
  if (options.objectPath === undefined) return list;
  const objectPath: CompiledPath = compilePath(options.objectPath);
  return (body) => {
    const found = list(body);
    if (!('events' in found)) return found;
    const events: unknown[] = [];
    for (const [i, element] of found.events.entries()) {
      const event = getPath(element, objectPath);
      if (event === undefined || event === null) {
        return { problem: `element ${i} of the events array has no ${options.objectPath}`, hint: 'check response_event_object_path against a response (hel test --source NAME)' };
      }
      events.push(event);
    }
    return { events };
  };
}

function listFinder(options: ExtractOptions): (body: unknown) => Extracted {
  if (options.eventsPath !== undefined) {
    const path: CompiledPath = compilePath(options.eventsPath);
    return (body) => {
      const found = getPath(body, path);
      if (Array.isArray(found)) return { events: found as unknown[] };
      if (found === undefined || found === null) return { events: [] };
      return { problem: `response_events_path ${options.eventsPath} holds ${typeof found}, not an array`, hint: 'set response_events_path to the dotted path of the events list' };
    };
  }
  const objectIsEvent = options.objectIsEvent ?? true;
  return (body) => {
    if (Array.isArray(body)) return { events: body as unknown[] };
    if (body === null || typeof body !== 'object')
      return { problem: `the response is a JSON ${body === null ? 'null' : typeof body}, not an object or array`, hint: 'set response_events_path to the dotted path of the events list' };
    for (const key of DEFAULT_KEYS) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return { events: value as unknown[] };
    }
    if (objectIsEvent) return { events: Object.keys(body).length === 0 ? [] : [body] };
    return { problem: 'the response has no events array', hint: 'set response_events_path to the dotted path of the events list' };
  };
}
