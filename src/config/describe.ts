import type { z } from 'zod';
import type { ConfigIssue } from './errors.js';
import { hintFor } from './hints.js';
import { formatPath, knownKeysAt, type KeyPath } from './locate.js';
import { closest } from './suggest.js';
import { cut, mayShow, shownString } from './show-value.js';

export type Where = (path: KeyPath, key?: boolean) => { file: string; line?: number; column?: number };

/**
 * Turns zod's issues into located, one-line config issues. `skip` holds formatted paths already
 * reported (an unset `${VAR}`), whose type errors would only repeat the cause.
 */
export function zodIssues(
  error: z.ZodError,
  schema: z.ZodType,
  data: unknown,
  base: KeyPath,
  where: Where,
  skip: ReadonlySet<string> = new Set(),
  fromEnv: ReadonlySet<string> = new Set(),
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const suggested = new Set<string>();
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const rel = relPath(issue);
    const path = [...base, ...rel];
    const known = knownKeysAt(schema, rel, data);
    for (const key of issue.keys) {
      const suggestion = closest(key, known);
      if (suggestion) suggested.add(formatPath([...path, suggestion]));
      out.push({
        ...where([...path, key], true),
        path: formatPath([...path, key]),
        message: 'unknown key',
        hint: suggestion ? `did you mean "${suggestion}"?` : known.length > 0 ? `valid keys: ${known.join(', ')}` : undefined,
      });
    }
  }
  const type = base.length === 2 && base[0] === 'sources' ? valueAt(data, ['type']) : undefined;
  const entryType = typeof type === 'string' ? type : undefined;
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const rel = relPath(issue);
    const path = [...base, ...rel];
    const formatted = formatPath(path);
    const value = valueAt(data, rel);
    if (skip.has(formatted)) continue;
    // A misspelt key was reported as unknown with a suggestion; its "missing" twin adds nothing.
    if (value === undefined && suggested.has(formatted)) continue;
    // An env-expanded value is described as if its key could hold a secret.
    const described = describe(issue, value, path, fromEnv.has(formatted) ? [] : path);
    out.push({ ...where(path, issue.code === 'invalid_key'), path: formatted, message: described.message, hint: described.hint ?? hintFor(path, issue.code, value, entryType) });
  }
  return out;
}

function relPath(issue: z.core.$ZodIssue): (string | number)[] {
  return issue.path.filter((p): p is string | number => typeof p !== 'symbol');
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** The value for a message; `path` decides whether it may be shown (see show-value.ts). */
export function kindOf(value: unknown, path: KeyPath = []): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return mayShow(path) ? `the string ${shownString(value, path)}` : shownString(value, path);
  if (typeof value === 'boolean') return `boolean ${value}`;
  if (typeof value === 'number' || typeof value === 'bigint') return mayShow(path) ? `${typeof value} ${value}` : `a ${typeof value}`;
  return typeof value;
}

const TYPE_NAMES: Record<string, string> = {
  record: 'a map',
  object: 'a map',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? `a ${expected}`;
}

function describe(issue: z.core.$ZodIssue, value: unknown, path: KeyPath, valuePath: KeyPath): { message: string; hint?: string } {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = typeName(issue.expected);
      if (value === undefined) return { message: `required key is missing: expected ${expected}` };
      if (issue.expected === 'int' && typeof value === 'number') return { message: `${value} is not a whole number` };
      return { message: `expected ${expected}, got ${kindOf(value, valuePath)}`, hint: typeHint(issue.expected, value, valuePath) };
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const suggestion = typeof value === 'string' ? closest(value, allowed) : undefined;
      return { message: `${kindOf(value, valuePath)} is not one of: ${allowed.join(', ')}`, hint: suggestion ? `did you mean "${suggestion}"?` : undefined };
    }
    case 'invalid_union':
      return describeUnion(issue, value, path, valuePath);
    case 'invalid_key': {
      const inner = issue.issues[0]?.message;
      return { message: `${JSON.stringify(cut(String(path[path.length - 1])))} is not ${inner ?? 'a valid name'}` };
    }
    case 'too_small':
      return { message: tooSmall(issue, value, valuePath) };
    case 'too_big':
      return { message: `${shown(value, valuePath)} is too big: must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}` };
    case 'invalid_format': {
      const what = issue.message.startsWith('a ') || issue.message.startsWith('an ') ? issue.message : `a valid ${issue.format}`;
      return { message: `${kindOf(value, valuePath)} is not ${what}` };
    }
    default:
      return { message: issue.message };
  }
}

function typeHint(expected: string, value: unknown, path: KeyPath): string | undefined {
  if (typeof value === 'string') {
    const numeric = value.trim() !== '' && !Number.isNaN(Number(value));
    if ((expected === 'number' || expected === 'int') && numeric) return 'remove the quotes: a quoted value is a string';
    if (expected === 'boolean' && /^(true|false)$/i.test(value)) return 'remove the quotes: a quoted value is a string';
    if (expected === 'boolean' && /^(yes|no|on|off|y|n)$/i.test(value)) return 'write true or false';
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return mayShow(path) ? `quote it to make it a string: "${value}"` : 'quote it to make it a string';
  return undefined;
}

function shown(value: unknown, path: KeyPath): string {
  return typeof value === 'number' && mayShow(path) ? String(value) : kindOf(value, path);
}

function tooSmall(issue: z.core.$ZodIssueTooSmall, value: unknown, path: KeyPath): string {
  const min = Number(issue.minimum);
  if (issue.origin === 'string' && min === 1) return 'must not be empty';
  if (issue.origin === 'array') return `must list at least ${min} item${min === 1 ? '' : 's'}`;
  const bound = issue.inclusive ? `at least ${min}` : `greater than ${min}`;
  return `${shown(value, path)} is too small: must be ${bound}`;
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion, value: unknown, path: KeyPath, valuePath: KeyPath): { message: string; hint?: string } {
  const tagged = issue as z.core.$ZodIssueInvalidUnion & { discriminator?: string; options?: unknown[] };
  if (tagged.discriminator !== undefined && Array.isArray(tagged.options)) {
    const options = tagged.options.map(String);
    const list = `expected one of ${options.join(', ')}`;
    if (value === undefined) return { message: `required key is missing: ${list}` };
    const name = String(path[path.length - 1] ?? tagged.discriminator);
    const suggestion = typeof value === 'string' ? closest(value, options) : undefined;
    return {
      message: `unknown ${name} ${typeof value === 'string' ? shownString(value, valuePath) : kindOf(value, valuePath)}; ${list}`,
      hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
    };
  }
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    const top = branch.find((i) => i.path.length === 0 && i.code === 'invalid_type');
    if (top?.code === 'invalid_type') expected.add(typeName(top.expected));
  }
  if (expected.size === issue.errors.length && expected.size > 0) {
    const names = [...expected];
    const joined = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]!}`;
    return { message: `expected ${joined}, got ${kindOf(value, valuePath)}` };
  }
  return { message: `${kindOf(value, valuePath)} does not match any allowed form` };
}
