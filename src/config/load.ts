import { LineCounter, parseDocument, visit, isPair, isScalar, isSeq, Scalar, parse as parseYaml } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { BoundedReadError, readBoundedFile } from '../read-bounded.js';
import { expandEnv } from './expand-env.js';
import { formatPath, locate, type KeyPath } from './locate.js';
import { closest } from './suggest.js';
import { kindOf, zodIssues, type Where } from './describe.js';
import { cut, shownString } from './show-value.js';
import { yamlIssues } from './yaml-errors.js';
import { configSchema, globalSchema, sourceSchema, type AuthConfig, type GlobalConfig, type SourceConfig } from './schema.js';
import { authIssues, checkSources, secretRefIssues } from './semantic.js';
import { hookIssues } from '../hooks/check.js';
import { checkOutputFormats, withOutputFormat } from './output-format.js';
import { partialSource } from './partial.js';
import { withHelrSpellings } from './helr-keys.js';
import { SecretResolver } from '../secrets/resolver.js';
import { secretRefsOf } from './secret-refs.js';
import { natsSecretRefs } from './nats-schema.js';
import type { Integration } from '../integrations/integration.js';
import type { ResolvedSource } from './resolved.js';
import { integrationNamed, integrationOwning, integrations } from '../integrations/registry.js';

export interface LoadedConfig {
  path: string;
  global: GlobalConfig;
  sources: ResolvedSource[];
  /** Non-fatal notes (e.g. a token expiring soon), printed by validate and logged by run. */
  warnings: string[];
  /** The resolver the credentials were checked with; the runtime reads them through it too. */
  secrets: SecretResolver;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Check that referenced secrets are set. Off for replay, which sends no credentials. */
  requireSecrets?: boolean;
  now?: () => number;
  /**
   * The resolver of a running collector (a reload): kept when it serves the new file's
   * global.secrets, so the store's key is not derived again. Otherwise one is built from them.
   */
  secrets?: SecretResolver;
}

/** A config file is small; anything larger is not one (a log, a device, a file given by mistake). */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The config file's text as loaded (bounded); for the audit log's hash of what was loaded. */
export function readConfigText(path: string): string {
  return readBoundedFile(path, MAX_CONFIG_BYTES).toString('utf8');
}

export function loadConfig(path: string, options: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readConfigText(path);
  } catch (err) {
    const reason = err instanceof BoundedReadError ? err.reason : 'unreadable';
    throw new ConfigError([
      {
        file: path,
        path: '',
        message: err instanceof Error ? err.message : String(err),
        hint:
          reason === 'missing' || reason === 'unreadable'
            ? 'pass --config PATH or set HEL_CONFIG; examples/hel.yaml is a starting point'
            : 'pass the path of your hel.yaml (a regular file of at most 1 MiB) with --config',
      },
    ]);
  }
  return parseConfig(text, path, options);
}

export function parseConfig(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const requireSecrets = options.requireSecrets ?? true;
  const now = options.now ?? Date.now;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(yamlIssues(doc.errors, text, lineCounter, file));

  const expanded = new Set<string>();
  const issues: ConfigIssue[] = expandScalars(doc, lineCounter, file, env, expanded);
  const unexpanded = new Set(issues.map((i) => i.path));
  const data = documentValue(doc, lineCounter, file);
  const where: Where = (path, key = false) => ({ file, ...locate(doc, lineCounter, path, { key }) });

  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const empty = data === null || data === undefined;
    throw new ConfigError([
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: empty ? 'the file is empty' : `expected a map with \`sources:\` (and optionally \`global:\`), got ${kindOf(data)}`,
        hint: 'start with `sources:` and one source; examples/hel.yaml is a starting point',
      },
    ]);
  }

  const root = configSchema.safeParse(data);
  if (!root.success) issues.push(...zodIssues(root.error, configSchema, data, [], where, unexpanded, expanded));

  const rawGlobal = (data as Record<string, unknown>).global ?? {};
  const globalResult = globalSchema.safeParse(rawGlobal);
  const global = globalResult.success ? globalResult.data : globalSchema.parse({});
  const secretsSettings = { path: global.secrets.path, keyFile: global.secrets.key_file };
  // Building the resolver reads nothing: the loader reads credentials only through it, when a check needs one.
  const secrets = options.secrets?.serves(secretsSettings, env) === true ? options.secrets : new SecretResolver({ env, ...secretsSettings });

  const rawSources = (data as Record<string, unknown>).sources;
  const sources: ResolvedSource[] = [];
  const partials: { source: ResolvedSource; pruned: Set<string> }[] = [];
  const shortForms: { name: string; integration: Integration; config: unknown }[] = [];
  if (rawSources && typeof rawSources === 'object' && !Array.isArray(rawSources)) {
    for (const [name, raw] of Object.entries(rawSources as Record<string, unknown>)) {
      const base = ['sources', name];
      const type = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).type : undefined;
      const integration = typeof type === 'string' ? integrationNamed(type) : undefined;
      if (type !== undefined && integration === undefined) {
        issues.push(unknownSourceType(type, [...base, 'type'], where));
        continue;
      }
      const schema: z.ZodType = integration?.schema ?? sourceSchema;
      const result = schema.safeParse(raw);
      if (!result.success) {
        issues.push(...zodIssues(result.error, schema, raw, base, where, unexpanded, expanded));
        const partial = integration ? undefined : partialSource(raw, result.error);
        if (partial) partials.push({ ...partial, source: resolve(partial.source, name, global) });
        continue;
      }
      if (integration) {
        shortForms.push({ name, integration, config: result.data });
      } else {
        sources.push(resolve(result.data as SourceConfig, name, global));
      }
    }
  }

  const warnings: string[] = [];
  const failedEntries = new Set<string>();
  for (const { name, integration, config } of shortForms) {
    const expanded = integration.expand(name, config, { env, globalLabelKey: global.source_label_key, requireSecrets, secrets, now });
    if (expanded.issues.length > 0) failedEntries.add(name);
    issues.push(...expanded.issues.map((i) => ({ ...where(['sources', name, ...i.path]), path: formatPath(['sources', name, ...i.path]), message: i.message, hint: i.hint })));
    warnings.push(...expanded.warnings);
    sources.push(...withOutputFormat(expanded.sources, config));
  }

  // Checked even when other sources are broken, so one run reports every problem in the file.
  const semantic = checkSources(sources, { env, requireSecrets, now });
  semantic.issues.push(...checkOutputFormats(sources, global.output));
  for (const i of semantic.issues) {
    const entry = i.source.integration?.entry;
    if (entry !== undefined && failedEntries.has(entry)) continue;
    const path = entry !== undefined ? ['sources', entry] : ['sources', i.source.name, ...i.path];
    issues.push({ ...where(path), path: formatPath(['sources', i.source.name, ...i.path]), message: i.message, hint: i.hint });
  }
  warnings.push(...semantic.warnings);
  for (const i of hookIssues(sources, global.hooks)) {
    const path = ['sources', i.source, ...i.path];
    issues.push({ ...where(path), path: formatPath(path), message: i.message, hint: i.hint });
  }
  // The HTTP output's credential, checked like a source's.
  const outputAuth = global.output.http?.auth;
  for (const i of outputAuth ? authIssues(outputAuth as AuthConfig, { env, requireSecrets }) : []) {
    const path = ['global', 'output', 'http', ...i.path];
    issues.push({ ...where(path), path: formatPath(path), message: i.message, hint: i.hint });
  }
  const natsAuth = global.output.nats?.auth;
  for (const i of natsAuth ? secretRefIssues(natsSecretRefs(natsAuth), { env, requireSecrets }) : []) {
    const path = ['global', 'output', 'nats', ...i.path];
    issues.push({ ...where(path), path: formatPath(path), message: i.message, hint: i.hint });
  }
  const partialChecks = checkSources(
    partials.map((p) => p.source),
    { env, requireSecrets, now },
  );
  for (const i of partialChecks.issues) {
    if (partials.find((p) => p.source === i.source)?.pruned.has(String(i.path[0]))) continue;
    const path = ['sources', i.source.name, ...i.path];
    issues.push({ ...where(path), path: formatPath(path), message: i.message, hint: i.hint });
  }
  if (issues.length === 0 && requireSecrets && usesStoredSecrets(sources)) {
    warnings.push(...secrets.expiryWarnings(now()));
  }

  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  return { path: file, global, sources, warnings, secrets };
}

/** Whether any source reads a credential from the encrypted store (`*_secret`). */
function usesStoredSecrets(sources: ResolvedSource[]): boolean {
  return sources.some((s) => s.auth !== undefined && secretRefsOf(s.auth).some((r) => r.secret !== undefined));
}

function resolve(config: SourceConfig, name: string, global: GlobalConfig): ResolvedSource {
  const source = withHelrSpellings(config);
  const labelKey = source.source_label_key ?? global.source_label_key;
  const resolved: ResolvedSource = { ...source, name, labelKey, labelValue: source.source_label_value ?? name };
  const integration = integrationOwning(source);
  if (integration === undefined) return resolved;
  const owned: ResolvedSource = { ...resolved, integration: { type: integration.type } };
  return integration.applyDefaults?.(owned) ?? owned;
}

function unknownSourceType(type: unknown, path: KeyPath, where: Where): ConfigIssue {
  const types = integrations().map((i) => i.type);
  const suggestion = typeof type === 'string' ? closest(type, types) : undefined;
  return {
    ...where(path),
    path: formatPath(path),
    message: `unknown source type ${typeof type === 'string' ? shownString(type, path) : kindOf(type, path)}; the types are ${types.join(', ')}`,
    hint: suggestion ? `did you mean "${suggestion}"?` : 'remove type: to describe an HTTP source with url:',
  };
}

/** In file order, so the list reads top to bottom; issues without a line keep their place at the end. */
function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.index - b.index)
    .map((x) => x.issue);
}

/**
 * The document as plain data. Aliases are where YAML hides trouble: an alias to an anchor that is
 * never set, and aliases of aliases that expand exponentially ("billion laughs"). Both become a
 * located config error instead of an exception.
 */
function documentValue(doc: Document, lineCounter: LineCounter, file: string): unknown {
  const aliases: { name: string; offset: number; resolved: boolean }[] = [];
  visit(doc, {
    Alias(_key, node) {
      aliases.push({ name: node.source, offset: node.range?.[0] ?? 0, resolved: node.resolve(doc) !== undefined });
    },
  });
  const at = (offset: number) => lineCounter.linePos(offset);
  const unresolved = aliases.find((a) => !a.resolved);
  if (unresolved) {
    const pos = at(unresolved.offset);
    throw new ConfigError([
      {
        file,
        line: pos.line,
        column: pos.col,
        path: '',
        message: `YAML alias *${cut(unresolved.name)} refers to no anchor`,
        hint: `define &${cut(unresolved.name)} before this line, or write the value out`,
      },
    ]);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    const pos = at(aliases[0]?.offset ?? 0);
    throw new ConfigError([
      {
        file,
        line: pos.line,
        column: pos.col,
        path: '',
        message: `YAML aliases expand too much (${err instanceof Error ? err.message : String(err)})`,
        hint: 'aliases of aliases multiply (a "billion laughs" file); write the values out, hel.yaml needs no aliases',
      },
    ]);
  }
}

/** Expands `${VAR}` and `$VAR` in every string scalar; plain scalars are re-typed (so `${PORT}` can be a number). */
function expandScalars(doc: Document, lineCounter: LineCounter, file: string, env: NodeJS.ProcessEnv, expanded: Set<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      // Keys are never expanded: an expanded key could silently replace another (`${X}: ...` over `url:`).
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const keys = keyPathOf(path, node);
      // GraphQL queries in a body and JS in a hook use `$name` themselves: there only ${VAR} expands.
      const bare = !keys.includes('body') && keys.at(-1) !== 'script_inline';
      const { value, missing } = expandEnv(node.value, env, { bare });
      for (const name of missing) {
        const pos = node.range ? lineCounter.linePos(node.range[0]) : undefined;
        issues.push({
          file,
          line: pos?.line,
          column: pos?.col,
          path: formatPath(keys),
          message: `environment variable ${name} is not set`,
          hint: `export ${name}, or write \${${name}:-default}`,
        });
      }
      // A value taken from the environment may be a secret: errors never show it.
      if (value !== node.value) expanded.add(formatPath(keys));
      if (node.type === Scalar.PLAIN && value !== node.value) {
        const typed = retype(value);
        node.value = typeof typed === 'number' || typeof typed === 'boolean' ? typed : value;
      } else {
        node.value = value;
      }
    },
  });
  return issues;
}

/** The YAML type of an expanded plain scalar; a value that is not valid YAML on its own stays a string. */
function retype(value: string): unknown {
  try {
    return parseYaml(value, { logLevel: 'silent' }) as unknown;
  } catch {
    return value;
  }
}

function keyPathOf(ancestors: readonly unknown[], node: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  ancestors.forEach((a, i) => {
    if (isPair(a) && isScalar(a.key)) out.push(String(a.key.value));
    else if (isSeq(a)) out.push(a.items.indexOf(ancestors[i + 1] ?? node));
  });
  return out;
}
