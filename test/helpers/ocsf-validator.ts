/**
 * An OCSF 1.8.0 event validator for tests, reproducing the rules of the OCSF server's validator
 * (ocsf-server lib/schema/validator2.ex) over the schema extract in test/fixtures/ocsf/.
 * Errors: unknown class, unknown attribute (profile attributes without their profile included),
 * missing required attribute, wrong type, max_len / range / values, enum value not in the enum,
 * class or object constraint broken, type_uid != class_uid * 100 + activity_id, a newer schema
 * version. Warnings: missing recommended attribute, regex mismatch, sibling caption mismatch,
 * deprecated use, an older schema version.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface AttributeDef {
  type: string;
  object_type?: string;
  is_array?: boolean;
  requirement: 'required' | 'recommended' | 'optional';
  enum?: Record<string, string>;
  enum_deprecated?: string[];
  sibling?: string;
  profiles?: string[];
  '@deprecated'?: unknown;
}

interface Definition {
  attributes: Record<string, AttributeDef>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
  '@deprecated'?: unknown;
}

interface TypeDef {
  type?: string;
  regex?: string;
  max_len?: number;
  range?: [number, number];
  values?: unknown[];
}

export interface OcsfSchema {
  schema: { version: string };
  types: Record<string, TypeDef>;
  classes: Record<string, Definition & { uid: number }>;
  objects: Record<string, Definition>;
}

export const OCSF_FIXTURE = fileURLToPath(new URL('../../../test/fixtures/ocsf/ocsf-1.8.0-classes.json', import.meta.url));

let cached: OcsfSchema | undefined;
export function loadOcsfSchema(): OcsfSchema {
  cached ??= JSON.parse(readFileSync(OCSF_FIXTURE, 'utf8')) as OcsfSchema;
  return cached;
}

export interface Finding {
  path: string;
  rule: string;
  message: string;
}

export interface ValidationResult {
  errors: Finding[];
  warnings: Finding[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function validateOcsf(event: unknown, schema: OcsfSchema = loadOcsfSchema()): ValidationResult {
  const result: ValidationResult = { errors: [], warnings: [] };
  const error = (path: string, rule: string, message: string) => result.errors.push({ path, rule, message });
  const warn = (path: string, rule: string, message: string) => result.warnings.push({ path, rule, message });
  if (!isObject(event)) {
    error('', 'type', 'an event is a JSON object');
    return result;
  }
  const cls = schema.classes[String(event.class_uid)];
  if (cls === undefined) {
    error('class_uid', 'class_unknown', `no class ${String(event.class_uid)}`);
    return result;
  }
  const metadata = isObject(event.metadata) ? event.metadata : undefined;
  const profiles = new Set(Array.isArray(metadata?.profiles) ? (metadata.profiles as unknown[]).filter((p): p is string => typeof p === 'string') : []);

  const baseType = (type: string): string => {
    let t = type;
    for (let i = 0; i < 5 && schema.types[t]?.type !== undefined; i++) t = schema.types[t]!.type!;
    return t;
  };

  const checkScalar = (value: unknown, def: AttributeDef, path: string): void => {
    const base = baseType(def.type);
    const typeDef = schema.types[def.type];
    const ok =
      base === 'json_t' ||
      (base === 'string_t' && typeof value === 'string') ||
      ((base === 'integer_t' || base === 'long_t') && Number.isInteger(value)) ||
      (base === 'float_t' && typeof value === 'number' && Number.isFinite(value)) ||
      (base === 'boolean_t' && typeof value === 'boolean');
    if (!ok) {
      error(path, 'type', `expected ${def.type} (${base}), got ${JSON.stringify(value)}`);
      return;
    }
    if (typeDef?.max_len !== undefined && typeof value === 'string' && value.length > typeDef.max_len) error(path, 'max_len', `longer than ${typeDef.max_len}`);
    if (typeDef?.range !== undefined && typeof value === 'number' && (value < typeDef.range[0] || value > typeDef.range[1])) error(path, 'range', `outside ${typeDef.range.join('-')}`);
    if (typeDef?.values !== undefined && !typeDef.values.includes(value)) error(path, 'values', `not one of ${JSON.stringify(typeDef.values)}`);
    if (typeDef?.regex !== undefined && typeof value === 'string' && !new RegExp(typeDef.regex).test(value)) warn(path, 'regex', `${JSON.stringify(value)} does not match the ${def.type} pattern`);
    if (def.enum !== undefined) {
      if (!(String(value) in def.enum)) error(path, 'enum', `${JSON.stringify(value)} is not in the enum`);
      else if (def.enum_deprecated?.includes(String(value))) warn(path, 'deprecated', `enum value ${String(value)} is deprecated`);
    }
  };

  const checkObject = (value: Json, definition: Definition, path: string): void => {
    if (definition['@deprecated'] !== undefined) warn(path, 'deprecated', 'deprecated object');
    const attributes = definition.attributes;
    // An object without attributes (`object`, as used by `unmapped`) takes anything.
    if (Object.keys(attributes).length === 0) return;
    const visible = (def: AttributeDef) => def.profiles === undefined || def.profiles.some((p) => profiles.has(p));
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const def = attributes[key];
      if (def === undefined || !visible(def)) {
        error(at, 'attribute_unknown', def === undefined ? 'not an attribute here' : `needs profile ${def.profiles!.join(' or ')} in metadata.profiles`);
        continue;
      }
      if (def['@deprecated'] !== undefined) warn(at, 'deprecated', 'deprecated attribute');
      if (item === null) continue;
      const values: unknown[] = def.is_array ? (Array.isArray(item) ? (item as unknown[]) : [item]) : [item];
      if (def.is_array && !Array.isArray(item)) {
        error(at, 'type', 'expected an array');
        continue;
      }
      if (!def.is_array && Array.isArray(item)) {
        error(at, 'type', 'expected a single value, got an array');
        continue;
      }
      values.forEach((v, i) => {
        const vp = def.is_array ? `${at}[${i}]` : at;
        if (def.type === 'object_t') {
          const objectDef = schema.objects[def.object_type ?? ''];
          if (!isObject(v)) error(vp, 'type', `expected object ${def.object_type ?? ''}`);
          else if (objectDef === undefined) error(vp, 'object_unknown', `no object ${def.object_type ?? ''}`);
          else checkObject(v, objectDef, vp);
        } else {
          checkScalar(v, def, vp);
        }
      });
      if (def.enum !== undefined && def.sibling !== undefined && !def.is_array && value[def.sibling] !== undefined && (typeof item === 'number' || typeof item === 'string')) {
        const caption = def.enum[String(item)];
        const sibling = value[def.sibling];
        if (String(item) === '99') {
          if (sibling === 'Other') warn(at, 'sibling', `${def.sibling} should carry the source's own value for 99`);
        } else if (caption !== undefined && sibling !== caption) {
          warn(at, 'sibling', `${def.sibling} is ${JSON.stringify(sibling)}, the caption is ${JSON.stringify(caption)}`);
        }
      }
    }
    for (const [key, def] of Object.entries(attributes)) {
      if (!visible(def)) continue;
      const at = path ? `${path}.${key}` : key;
      if (def.requirement === 'required' && (value[key] === undefined || value[key] === null)) error(at, 'required', 'required attribute missing');
      else if (def.requirement === 'recommended' && value[key] === undefined) warn(at, 'recommended', 'recommended attribute missing');
    }
    const present = (k: string) => value[k] !== undefined && value[k] !== null;
    const c = definition.constraints;
    if (c?.at_least_one && !c.at_least_one.some(present)) error(path, 'constraint', `needs at least one of ${c.at_least_one.join(', ')}`);
    if (c?.just_one && c.just_one.filter(present).length !== 1) error(path, 'constraint', `needs exactly one of ${c.just_one.join(', ')}`);
  };

  checkObject(event, cls, '');
  if (typeof event.activity_id === 'number' && event.type_uid !== cls.uid * 100 + event.activity_id) {
    error('type_uid', 'type_uid', `type_uid ${String(event.type_uid)} is not ${cls.uid} * 100 + ${event.activity_id}`);
  }
  if (typeof metadata?.version === 'string') {
    const d = compareVersions(metadata.version, schema.schema.version);
    if (d > 0) error('metadata.version', 'version', `${metadata.version} is newer than the schema ${schema.schema.version}`);
    else if (d < 0) warn('metadata.version', 'version', `${metadata.version} is older than the schema ${schema.schema.version}`);
  }
  return result;
}
