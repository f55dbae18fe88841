import type { Document, LineCounter } from 'yaml';
import { isNode, isPair, isMap, isScalar } from 'yaml';
import type { z } from 'zod';

export type KeyPath = readonly (string | number)[];

/** Line and column (1-based) of the YAML node at `path`, or of its nearest existing parent. */
export function locate(doc: Document, lineCounter: LineCounter, path: KeyPath, { key = false }: { key?: boolean } = {}): { line?: number; column?: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    let node = key && depth === path.length ? keyNode(doc, sub) : doc.getIn(sub, true);
    // An empty value (`src:` with nothing after it) sits at the end of the line; its key is easier to find.
    if (isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1] && sub.length > 0) node = keyNode(doc, sub);
    const range = isNode(node) ? node.range : undefined;
    if (range) {
      const pos = lineCounter.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

/** The key node of the last path segment (so an unknown key points at the key, not its value). */
function keyNode(doc: Document, path: KeyPath): unknown {
  const parent = doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (!isMap(parent)) return undefined;
  for (const item of parent.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === last) return item.key;
  }
  return undefined;
}

export function formatPath(path: KeyPath): string {
  return path.map(String).join('.');
}

interface ZodInternals {
  _zod: { def: { type: string; innerType?: z.ZodType; options?: z.ZodType[]; discriminator?: string; valueType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; shape?: Record<string, z.ZodType> } };
}

/**
 * The keys an object accepts at `path` inside `schema`, used for "did you mean" hints.
 * Discriminated unions are resolved with the data's discriminator value.
 */
export function knownKeysAt(schema: z.ZodType, path: KeyPath, data: unknown): string[] {
  let node: z.ZodType | undefined = schema;
  let value: unknown = data;
  for (let i = 0; i <= path.length && node; i++) {
    node = unwrap(node, value);
    if (!node) return [];
    if (i === path.length) break;
    const seg = path[i]!;
    const def = (node as unknown as ZodInternals)._zod.def;
    if (def.type === 'object') node = def.shape?.[String(seg)] ?? (node as unknown as { shape: Record<string, z.ZodType> }).shape[String(seg)];
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'array') node = (def as unknown as { element: z.ZodType }).element;
    else return [];
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[String(seg)] : undefined;
  }
  if (!node) return [];
  const shape = (node as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(node: z.ZodType, value: unknown): z.ZodType | undefined {
  let current: z.ZodType | undefined = node;
  for (let guard = 0; guard < 20 && current; guard++) {
    const def: ZodInternals['_zod']['def'] = (current as unknown as ZodInternals)._zod.def;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable') {
      current = def.innerType;
    } else if (def.type === 'pipe') {
      // A preprocess step (a transform in front) says nothing about the keys: look behind it.
      current = def.in !== undefined && (def.in as unknown as ZodInternals)._zod.def.type === 'transform' ? def.out : def.in;
    } else if (def.type === 'union' && def.options) {
      const disc = def.discriminator;
      const tag = disc && value && typeof value === 'object' ? (value as Record<string, unknown>)[disc] : undefined;
      const match: z.ZodType | undefined = def.options.find((o: z.ZodType) => {
        const shape = (o as unknown as { shape?: Record<string, z.ZodType> }).shape;
        if (!shape) return false;
        if (disc) return literalOf(shape[disc]) === tag;
        return true;
      });
      current = match;
      if (!disc) return current;
    } else {
      return current;
    }
  }
  return current;
}

function literalOf(schema: z.ZodType | undefined): unknown {
  const values = (schema as unknown as { _zod?: { def?: { values?: unknown[] } } } | undefined)?._zod?.def?.values;
  return values?.[0];
}
