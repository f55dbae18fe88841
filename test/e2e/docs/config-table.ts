/**
 * Renders the key tables of docs/configuration.md from the JSON Schema that `hel schema` prints (the
 * zod definition in src/config/schema.ts plus each integration's short form). Key paths, types,
 * defaults and "required" come from the schema; the Meaning column is prose kept in the page and
 * carried over row by row, so a key added to the schema appears with an empty meaning and a key
 * removed from it disappears.
 */

type Json = Record<string, unknown>;

interface Row {
  path: string;
  types: string[];
  defaults: string[];
  /** Discriminator values of the union branches the key belongs to (`strategy: cursor`). */
  when: string[];
  /** Branches seen in total for this union, to tell "every branch" from "some". */
  branchesOf?: number;
}

interface Section {
  heading: string;
  rows: Row[];
}

const MAX_SAFE = 9007199254740991;
const code = (s: string) => `\`${s}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function branches(node: Json): Json[] | undefined {
  const list = node.oneOf ?? node.anyOf;
  return Array.isArray(list) ? (list as Json[]) : undefined;
}

/** The property every branch of a union fixes with a `const` (strategy, type), if there is one. */
function discriminator(list: Json[]): string | undefined {
  if (!list.every((b) => isObject(b.properties))) return undefined;
  const first = list[0]!.properties as Record<string, Json>;
  return Object.keys(first).find((k) => list.every((b) => (b.properties as Record<string, Json>)[k]?.const !== undefined));
}

function bounds(node: Json): string {
  const min = node.minimum as number | undefined;
  const max = node.maximum as number | undefined;
  const xmin = node.exclusiveMinimum as number | undefined;
  const hasMax = max !== undefined && max !== MAX_SAFE;
  if (min !== undefined && hasMax) return ` ${min}–${max}`;
  const parts: string[] = [];
  if (xmin !== undefined) parts.push(`> ${xmin}`);
  if (min !== undefined) parts.push(`≥ ${min}`);
  if (hasMax) parts.push(`≤ ${max}`);
  return parts.length > 0 ? ` ${parts.join(', ')}` : '';
}

/** A short human type: `integer ≥ 1`, `` `a` | `b` ``, `list of string`, `map of string`. */
function typeOf(node: Json): string {
  if (node.const !== undefined) return code(JSON.stringify(node.const).replace(/^"|"$/g, ''));
  if (Array.isArray(node.enum)) return (node.enum as unknown[]).map((v) => code(String(v))).join(' | ');
  const list = branches(node);
  if (list) return list.map(typeOf).join(' or ');
  switch (node.type) {
    case 'string':
      if (node.format === 'uri') return 'URL';
      if (node.pattern === '^[A-Za-z_][A-Za-z0-9_]*$') return 'env variable name';
      return 'string';
    case 'number':
    case 'integer':
      return `${node.type}${bounds(node)}`;
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = isObject(node.items) ? typeOf(node.items) : 'any';
      return `list of ${items}${typeof node.minItems === 'number' && node.minItems > 0 ? ` (at least ${node.minItems})` : ''}`;
    }
    case 'object': {
      if (isObject(node.properties)) return 'object';
      const keys = isObject(node.propertyNames) && Array.isArray(node.propertyNames.enum) ? `${(node.propertyNames.enum as string[]).map(code).join(' | ')} to ` : '';
      return `map of ${keys}${isObject(node.additionalProperties) ? typeOf(node.additionalProperties) : 'any'}`;
    }
    default:
      return 'any JSON value';
  }
}

function defaultOf(node: Json, required: boolean): string {
  if (node.default !== undefined) {
    const d = node.default;
    return code(typeof d === 'string' ? d : JSON.stringify(d));
  }
  return required ? '**required**' : '—';
}

class Collector {
  readonly rows = new Map<string, Row>();

  add(path: string, type: string, dflt: string, when: string | undefined, branchCount?: number): void {
    const row = this.rows.get(path) ?? { path, types: [], defaults: [], when: [] };
    if (!row.types.includes(type)) row.types.push(type);
    if (!row.defaults.includes(dflt)) row.defaults.push(dflt);
    if (when !== undefined) row.when.push(when);
    if (branchCount !== undefined) row.branchesOf = branchCount;
    this.rows.set(path, row);
  }

  walk(node: Json, path: string, required: boolean, when?: string): void {
    const list = branches(node);
    const disc = list && discriminator(list);
    if (list && disc) {
      const consts = list.map((b) => JSON.stringify((b.properties as Record<string, Json>)[disc]!.const).replace(/^"|"$/g, ''));
      const chosen = isObject(node.default) ? node.default[disc] : undefined;
      this.add(`${path}.${disc}`, consts.map(code).join(' | '), typeof chosen === 'string' ? code(chosen) : defaultOf({}, required), when);
      for (const [i, b] of list.entries()) this.properties(b, path, `${disc}: ${consts[i]}`, list.length);
      return;
    }
    if (node.type === 'object' && isObject(node.properties)) {
      this.properties(node, path, when);
      return;
    }
    if (node.type === 'array' && isObject(node.items) && isObject(node.items.properties)) {
      this.add(path, `list of objects${typeof node.minItems === 'number' ? ` (at least ${node.minItems})` : ''}`, defaultOf(node, required), when);
      this.properties(node.items, `${path}[]`, when);
      return;
    }
    this.add(path, typeOf(node), defaultOf(node, required), when);
  }

  private properties(node: Json, path: string, when?: string, branchCount?: number): void {
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    for (const [key, child] of Object.entries(node.properties as Record<string, Json>)) {
      if (branchCount !== undefined && child.const !== undefined) continue; // the discriminator has its own row
      const before = this.rows.get(`${path}.${key}`);
      this.walk(child, `${path}.${key}`, required.includes(key), when);
      if (branchCount !== undefined && !before) {
        const row = this.rows.get(`${path}.${key}`);
        if (row) row.branchesOf = branchCount;
      }
    }
  }
}

function collect(node: Json, prefix: string): Row[] {
  const c = new Collector();
  c.walk(node, prefix, false);
  return [...c.rows.values()].filter((r) => r.path !== prefix);
}

/** The sections of the page: global, the HTTP source, then each integration's short form. */
function sections(schema: Json): Section[] {
  const props = schema.properties as Record<string, Json>;
  const entries = branches(props.sources!.additionalProperties as Json)!;
  const out: Section[] = [{ heading: '`global`', rows: collect(props.global!, 'global') }];
  const http = entries.find((e) => (e.properties as Record<string, Json>).url !== undefined)!;
  out.push({ heading: 'HTTP sources (`sources.<name>` with `url:`)', rows: collect(http, 'sources.<name>') });
  for (const e of entries) {
    if (e === http) continue;
    const type = JSON.stringify((e.properties as Record<string, Json>).type!.const).replace(/^"|"$/g, '');
    out.push({ heading: `Short form \`type: ${type}\``, rows: collect(e, 'sources.<name>') });
  }
  return out;
}

function whenText(row: Row): string {
  if (row.when.length === 0 || (row.branchesOf !== undefined && row.when.length === row.branchesOf)) return '';
  const [key] = row.when[0]!.split(': ');
  return `; only with ${key} ${row.when.map((w) => code(w.split(': ')[1]!)).join(', ')}`;
}

/** The Meaning cells of an existing page, by section heading and key path. */
export function meaningsOf(page: string): Map<string, string> {
  const out = new Map<string, string>();
  let heading = '';
  for (const line of page.split('\n')) {
    const h = /^### (.*)$/.exec(line);
    if (h) heading = h[1]!;
    const m = /^\| `([^`]+)` \|.*\| ([^|]*(?:\\\|[^|]*)*) \|$/.exec(line);
    if (m && heading) out.set(`${heading}\n${m[1]}`, m[2]!.trim());
  }
  return out;
}

/** The generated Markdown: one `###` table per section. */
export function renderKeyTables(schema: Json, meanings: Map<string, string>): string {
  const out: string[] = [];
  for (const s of sections(schema)) {
    out.push(`### ${s.heading}`, '', '| Key | Type | Default | Meaning |', '|---|---|---|---|');
    for (const row of s.rows) {
      const meaning = meanings.get(`${s.heading}\n${row.path}`) ?? '';
      out.push(`| ${code(row.path)} | ${cell(row.types.join(' or ') + whenText(row))} | ${cell(row.defaults.join(' or '))} | ${meaning} |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}
