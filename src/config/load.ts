import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, visit, isScalar, Scalar, parse as parseYaml } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { expandEnv } from './expand-env.js';
import { formatPath, knownKeysAt, locate, type KeyPath } from './locate.js';
import { closest } from './suggest.js';
import {
  configSchema,
  globalSchema,
  onePasswordSourceSchema,
  sourceSchema,
  type GlobalConfig,
  type OnePasswordSourceConfig,
  type SourceConfig,
} from './schema.js';
import { checkSources } from './semantic.js';
import { applyOnePasswordDefaults, expandOnePassword } from '../integrations/onepassword/expand.js';

/** A source ready for the engine: config with defaults, its name, and its NDJSON label. */
export interface ResolvedSource extends SourceConfig {
  name: string;
  labelKey: string;
  labelValue: string;
  /** Set when the source came from a `type: onepassword` entry. */
  onepassword?: { entry: string; stream: string; apiVersion: 'v1' | 'v2' };
}

export interface LoadedConfig {
  path: string;
  global: GlobalConfig;
  sources: ResolvedSource[];
  /** Non-fatal notes (e.g. a token expiring soon), printed by validate and logged by run. */
  warnings: string[];
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Check that referenced secrets are set. Off for replay, which sends no credentials. */
  requireSecrets?: boolean;
  now?: () => number;
}

export function loadConfig(path: string, options: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([
      {
        file: path,
        path: '',
        message: code === 'ENOENT' ? 'config file not found' : `cannot read config file (${code ?? String(err)})`,
        hint: 'pass --config PATH or set HEL_CONFIG; examples/hel.yaml is a starting point',
      },
    ]);
  }
  return parseConfig(text, path, options);
}

export function parseConfig(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const issues: ConfigIssue[] = [];

  for (const e of doc.errors) {
    const pos = e.linePos?.[0];
    issues.push({
      file,
      line: pos?.line,
      column: pos?.col,
      path: '',
      message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      hint: e.code === 'DUPLICATE_KEY' ? 'each key may appear once per map' : 'check indentation and quoting',
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  issues.push(...expandScalars(doc, lineCounter, file, env));
  const data: unknown = doc.toJS();
  const where = (path: KeyPath, key = false) => ({ file, ...locate(doc, lineCounter, path, { key }) });

  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([{ ...where([]), path: '', message: 'expected a map with `sources:` (and optionally `global:`)' }]);
  }

  const root = configSchema.safeParse(data);
  if (!root.success) issues.push(...zodIssues(root.error, configSchema, data, [], where));

  const rawGlobal = (data as Record<string, unknown>).global ?? {};
  const globalResult = globalSchema.safeParse(rawGlobal);
  const global = globalResult.success ? globalResult.data : globalSchema.parse({});

  const rawSources = (data as Record<string, unknown>).sources;
  const sources: ResolvedSource[] = [];
  const onePasswordEntries: { name: string; config: OnePasswordSourceConfig }[] = [];
  if (rawSources && typeof rawSources === 'object' && !Array.isArray(rawSources)) {
    for (const [name, raw] of Object.entries(rawSources as Record<string, unknown>)) {
      const base = ['sources', name];
      const isOnePassword = raw !== null && typeof raw === 'object' && (raw as Record<string, unknown>).type === 'onepassword';
      const schema: z.ZodType = isOnePassword ? onePasswordSourceSchema : sourceSchema;
      const result = schema.safeParse(raw);
      if (!result.success) {
        issues.push(...zodIssues(result.error, schema, raw, base, where));
        continue;
      }
      if (isOnePassword) {
        onePasswordEntries.push({ name, config: result.data as OnePasswordSourceConfig });
      } else {
        const source = result.data as SourceConfig;
        const labelKey = source.source_label_key ?? global.source_label_key;
        sources.push(applyOnePasswordDefaults({ ...source, name, labelKey, labelValue: source.source_label_value ?? name }));
      }
    }
  }

  const warnings: string[] = [];
  for (const { name, config } of onePasswordEntries) {
    const expanded = expandOnePassword(name, config, {
      env,
      globalLabelKey: global.source_label_key,
      requireSecrets: options.requireSecrets ?? true,
      secretsPath: global.secrets.path,
      now: options.now ?? Date.now,
    });
    issues.push(...expanded.issues.map((i) => ({ ...where(['sources', name, ...i.path]), path: formatPath(['sources', name, ...i.path]), message: i.message, hint: i.hint })));
    warnings.push(...expanded.warnings);
    sources.push(...expanded.sources);
  }

  if (issues.length === 0) {
    const semantic = checkSources(sources, { env, requireSecrets: options.requireSecrets ?? true, now: options.now ?? Date.now });
    for (const i of semantic.issues) {
      const path = i.source.onepassword ? ['sources', i.source.onepassword.entry] : ['sources', i.source.name, ...i.path];
      issues.push({ ...where(path), path: formatPath(['sources', i.source.name, ...i.path]), message: i.message, hint: i.hint });
    }
    warnings.push(...semantic.warnings);
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return { path: file, global, sources, warnings };
}

/** Expands `${VAR}` in every string scalar; plain scalars are re-typed (so `${PORT}` can be a number). */
function expandScalars(doc: Document, lineCounter: LineCounter, file: string, env: NodeJS.ProcessEnv): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const { value, missing } = expandEnv(node.value, env);
      for (const name of missing) {
        const pos = node.range ? lineCounter.linePos(node.range[0]) : undefined;
        issues.push({
          file,
          line: pos?.line,
          column: pos?.col,
          path: formatPath(keyPathOf(path)),
          message: `environment variable ${name} is not set`,
          hint: `export ${name}, or write \${${name}:-default}`,
        });
      }
      if (node.type === Scalar.PLAIN && value !== node.value) {
        const typed: unknown = parseYaml(value);
        node.value = typeof typed === 'number' || typeof typed === 'boolean' ? typed : value;
      } else {
        node.value = value;
      }
    },
  });
  return issues;
}

function keyPathOf(ancestors: readonly unknown[]): (string | number)[] {
  const out: (string | number)[] = [];
  for (const a of ancestors) {
    if (a && typeof a === 'object' && 'key' in a && isScalar((a as { key: unknown }).key)) {
      out.push(String(((a as { key: Scalar }).key).value));
    }
  }
  return out;
}

type Where = (path: KeyPath, key?: boolean) => { file: string; line?: number; column?: number };

function zodIssues(error: z.ZodError, schema: z.ZodType, data: unknown, base: KeyPath, where: Where): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const path = [...base, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, rel, data);
      for (const key of issue.keys) {
        const suggestion = closest(key, known);
        out.push({
          ...where([...path, key], true),
          path: formatPath([...path, key]),
          message: 'unknown key',
          hint: suggestion ? `did you mean "${suggestion}"?` : known.length > 0 ? `valid keys: ${known.join(', ')}` : undefined,
        });
      }
      continue;
    }
    out.push({ ...where(path), path: formatPath(path), ...describe(issue, valueAt(data, rel)) });
  }
  return out;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function describe(issue: z.core.$ZodIssue, value: unknown): { message: string; hint?: string } {
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return { message: `required key is missing (expected ${issue.expected})` };
      const expected = issue.expected === 'record' || issue.expected === 'object' ? 'a map' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
      return { message: `expected ${expected}, got ${kindOf(value)}` };
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const suggestion = typeof value === 'string' ? closest(value, allowed) : undefined;
      return {
        message: `${kindOf(value)} is not one of: ${allowed.join(', ')}`,
        hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
      };
    }
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string }).discriminator ?? (issue as { note?: string }).note;
      return { message: `${kindOf(value)} does not match any allowed form`, hint: disc ? String(disc) : undefined };
    }
    case 'too_small':
      return {
        message: `${kindOf(value)} is too small: must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`,
      };
    case 'too_big':
      return { message: `${kindOf(value)} is too big: must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}` };
    case 'invalid_format':
      return { message: `${kindOf(value)} is not ${issue.message.startsWith('a ') ? issue.message : `a valid ${issue.format}`}` };
    default:
      return { message: issue.message };
  }
}
