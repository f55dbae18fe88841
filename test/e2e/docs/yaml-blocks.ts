/** What a YAML block of the docs needs before `hel validate` can judge it, and the schema-key check for fragments. */
import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';

type Json = Record<string, unknown>;

export type YamlKind = 'config' | 'fragment' | 'other';

/**
 * ```yaml is a complete hel.yaml; ```yaml fragment is part of one; ```yaml <tool> (e.g. `yaml
 * prometheus`) is another program's file, which must only parse. Undefined for non-YAML blocks.
 */
export function yamlKind(info: string): YamlKind | undefined {
  const [lang, ...rest] = info.split(/\s+/);
  if (lang !== 'yaml' && lang !== 'yml') return undefined;
  if (rest.length === 0) return 'config';
  return rest[0] === 'fragment' ? 'fragment' : 'other';
}

/** YAML parse errors of a block, as strings (empty when it parses). */
export function yamlErrors(body: string): string[] {
  return parseDocument(body).errors.map((e) => e.message);
}

export interface Needs {
  /** Variables the block reads (`${VAR}`, `*_env` keys), to be set to harmless placeholders. */
  env: Set<string>;
  /** Paths given in `*_file` keys, to be created with placeholder content (absolute ones under the test's directory). */
  files: Set<string>;
  /** Names given in `*_secret` keys, to be stored with `hel secrets set`. */
  secrets: Set<string>;
}

/** The variables, files and stored secrets a complete config refers to. */
export function needsOf(body: string): Needs {
  const needs: Needs = { env: new Set(), files: new Set(), secrets: new Set() };
  for (const m of body.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)) if (m[2] === undefined) needs.env.add(m[1]!);
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        const value = isScalar(pair.value) ? pair.value.value : undefined;
        if (typeof value === 'string') {
          if (key.endsWith('_env') && key !== 'token_env_prefix') needs.env.add(value);
          else if (key.endsWith('_file')) needs.files.add(value);
          else if (key.endsWith('_secret')) needs.secrets.add(value);
        }
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(parseDocument(body).contents);
  return needs;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function alternatives(node: Json): Json[] {
  const list = (node.oneOf ?? node.anyOf) as Json[] | undefined;
  return Array.isArray(list) ? list.flatMap(alternatives) : [node];
}

/** Every object node of the schema with named properties: the places a fragment may come from. */
function objectNodes(schema: Json): Json[] {
  const out: Json[] = [];
  const walk = (node: unknown): void => {
    if (!isObject(node)) return;
    if (isObject(node.properties)) {
      out.push(node);
      for (const child of Object.values(node.properties)) walk(child);
    }
    for (const b of [...((node.oneOf as unknown[]) ?? []), ...((node.anyOf as unknown[]) ?? [])]) walk(b);
    walk(node.items);
    walk(node.additionalProperties);
  };
  walk(schema);
  return out;
}

/** Whether a parsed fragment value fits a schema node key by key (values' types are not judged, only discriminators). */
function fits(value: unknown, node: Json): boolean {
  return alternatives(node).some((alt) => fitsOne(value, alt));
}

function fitsOne(value: unknown, node: Json): boolean {
  if (Array.isArray(value)) return isObject(node.items) ? value.every((v) => fits(v, node.items as Json)) : node.type === undefined || node.type === 'array';
  if (!isObject(value)) return node.const === undefined || node.const === value; // a union's discriminator must match its branch
  const props = isObject(node.properties) ? node.properties : undefined;
  const extra = isObject(node.additionalProperties) ? node.additionalProperties : undefined;
  if (!props && !extra) return node.type === undefined; // a free-form value
  return Object.entries(value).every(([k, v]) => {
    const child = props?.[k] ?? extra;
    return child !== undefined && fits(v, child as Json);
  });
}

/** The first key path of a fragment that no place in the schema accepts, or undefined when it fits somewhere. */
export function fragmentMisfit(value: unknown, schema: Json): string | undefined {
  if (!isObject(value)) return undefined;
  const candidates = [schema, ...objectNodes(schema)];
  if (candidates.some((n) => fits(value, n))) return undefined;
  return Object.keys(value).join(', ');
}
