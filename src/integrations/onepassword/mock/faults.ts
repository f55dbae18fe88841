import { HelError } from '../../../errors.js';

/**
 * Faults to inject, each a count of upcoming requests it applies to; counts go down as they fire.
 * At most one response-replacing fault fires per request, in this order: reset, status500,
 * status429, garbage, empty. A slow body can combine with a normal response.
 */
export interface FaultSpec {
  /** Destroy the socket without answering. */
  reset?: number;
  status500?: number;
  status429?: number;
  /** 200 whose body is truncated, invalid JSON. */
  garbage?: number;
  /** 200 with an empty body. */
  empty?: number;
  /** Stall this long after sending headers and half the body. */
  slowBodyMs?: number;
  /** How many responses stall when slowBodyMs is set; default 1. */
  slowCount?: number;
  /** Retry-After on injected 429s: delta seconds (default), an HTTP date, or none. */
  retryAfter?: 'seconds' | 'date' | 'none';
  /** Seconds announced by Retry-After on injected 429s; default 1. */
  retryAfterSecs?: number;
}

export type FaultKind = 'reset' | 'status500' | 'status429' | 'garbage' | 'empty';
const REPLACING: readonly FaultKind[] = ['reset', 'status500', 'status429', 'garbage', 'empty'];

export class FaultState {
  private spec: FaultSpec = {};

  set(spec: FaultSpec): void {
    this.spec = { ...spec };
  }

  get current(): Readonly<FaultSpec> {
    return this.spec;
  }

  /** The fault that replaces this request's response, if any; consumes one from its count. */
  takeReplacement(): FaultKind | undefined {
    for (const kind of REPLACING) {
      const left = this.spec[kind] ?? 0;
      if (left > 0) {
        this.spec[kind] = left - 1;
        return kind;
      }
    }
    return undefined;
  }

  /** Milliseconds to stall this response's body, if a slow fault is pending; consumes one. */
  takeSlow(): number | undefined {
    const ms = this.spec.slowBodyMs;
    if (ms === undefined || ms <= 0) return undefined;
    const left = this.spec.slowCount ?? 1;
    if (left <= 0) return undefined;
    this.spec.slowCount = left - 1;
    return ms;
  }
}

const COUNT_KEYS: Record<string, 'reset' | 'status500' | 'status429' | 'garbage' | 'empty'> = {
  reset: 'reset',
  '500': 'status500',
  '429': 'status429',
  garbage: 'garbage',
  empty: 'empty',
};

const FAULT_SYNTAX = '500:N, 429:N, reset:N, garbage:N, empty:N, slow:MS or slow:MSxN, retry-after:seconds|date|none|SECS';

/** Parses the CLI form, e.g. `500:3,reset:1,slow:5000,garbage:1,429:2,retry-after:date`. */
export function parseFaultList(text: string): FaultSpec {
  const spec: FaultSpec = {};
  for (const rawEntry of text.split(',')) {
    const entry = rawEntry.trim();
    if (entry === '') continue;
    const [name = '', value, extra] = entry.split(':').map((part) => part.trim().toLowerCase());
    if (extra !== undefined) throw badFault(entry);
    const countKey = COUNT_KEYS[name];
    if (countKey) {
      spec[countKey] = value === undefined ? 1 : positiveInt(value, entry);
    } else if (name === 'slow') {
      if (value === undefined) throw badFault(entry);
      const [ms = '', count] = value.split('x');
      spec.slowBodyMs = positiveInt(ms, entry);
      spec.slowCount = count === undefined ? 1 : positiveInt(count, entry);
    } else if (name === 'retry-after') {
      if (value === 'seconds' || value === 'date' || value === 'none') spec.retryAfter = value;
      else if (value !== undefined && /^\d+$/.test(value)) {
        spec.retryAfter = 'seconds';
        spec.retryAfterSecs = Number(value);
      } else throw badFault(entry);
    } else {
      throw badFault(entry);
    }
  }
  return spec;
}

function positiveInt(value: string, entry: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw badFault(entry);
  return Number(value);
}

function badFault(entry: string): HelError {
  return new HelError('HEL_USAGE', `bad --faults entry "${entry}"`, { hint: `use a comma-separated list of ${FAULT_SYNTAX}` });
}
