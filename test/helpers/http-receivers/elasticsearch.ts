import { LoopbackReceiver, type Received, type Respond } from './receiver.js';

type FieldType = 'long' | 'text' | 'object' | 'boolean';

function typeOf(value: unknown): FieldType | undefined {
  if (typeof value === 'number') return 'long';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return 'object';
  return undefined;
}

/**
 * An Elasticsearch `_bulk` endpoint with the semantics a collector relies on: `create` with an
 * `_id` that exists answers 409 version_conflict_engine_exception for that item; dynamic mapping
 * fixes each field's type on first sight and a later value of another type is a 400
 * document_parsing_exception naming the field; per-item 429 es_rejected_execution_exception can
 * be scripted. `errors` is true when any item failed.
 */
export class ElasticsearchFake extends LoopbackReceiver {
  /** index → _id → document */
  readonly indices = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly mappings = new Map<string, Map<string, FieldType>>();
  /** Share of items answered 429 without being stored. */
  itemRejectRate = 0;
  random: () => number = Math.random;
  /** `Authorization` header required when set. */
  authorization: string | undefined;
  autoId = 0;
  /** Items answered 409 because their _id was stored already. */
  conflicts = 0;
  /** `_bulk` answers with at least one item rejected with 429. */
  answersWithRejections = 0;
  /** The `event.uuid` of every stored document, counted (a cheap check for crash tests). */
  private readonly eventUuids = new Map<string, number>();

  constructor() {
    super((req, respond) => this.bulk(req, respond));
  }

  /** Whether a document whose `event.uuid` is `uuid` is stored, in any index. */
  hasEvent(uuid: string): boolean {
    return this.eventUuids.has(uuid);
  }

  /** Every stored document, all indices. */
  documents(): Record<string, unknown>[] {
    return [...this.indices.values()].flatMap((docs) => [...docs.values()]);
  }

  private bulk(req: Received, respond: Respond): void {
    if (this.authorization !== undefined && req.headers.authorization !== this.authorization) {
      return respond(401, { error: { type: 'security_exception', reason: 'unable to authenticate user [hel] for REST request [/_bulk]' }, status: 401 });
    }
    if (!req.path.endsWith('/_bulk')) return respond(404, { error: { type: 'illegal_argument_exception', reason: `no handler found for uri [${req.path}]` }, status: 404 });
    const lines = req.body.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    else return respond(400, { error: { type: 'illegal_argument_exception', reason: 'The bulk request must be terminated by a newline [\\n]' }, status: 400 });
    const items: Record<string, unknown>[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as { create?: { _index?: string; _id?: string } };
      if (action.create === undefined) return respond(400, { error: { type: 'illegal_argument_exception', reason: 'only create is scripted' }, status: 400 });
      const index = action.create._index!;
      const id = action.create._id ?? `auto-${this.autoId++}`;
      const doc = JSON.parse(lines[i + 1]!) as Record<string, unknown>;
      const item = this.create(index, id, doc);
      if (item.status !== 201) errors = true;
      items.push({ create: item });
    }
    if (items.some((i) => (i.create as { status: number }).status === 429)) this.answersWithRejections++;
    respond(200, { took: 1, errors, items });
  }

  private create(index: string, id: string, doc: Record<string, unknown>): Record<string, unknown> {
    const base = { _index: index, _id: id };
    if (this.random() < this.itemRejectRate) {
      return { ...base, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' } };
    }
    let docs = this.indices.get(index);
    if (docs?.has(id)) {
      this.conflicts++;
      return { ...base, status: 409, error: { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict, document already exists (current version [1])`, index } };
    }
    let mapping = this.mappings.get(index);
    if (!mapping) {
      mapping = new Map();
      this.mappings.set(index, mapping);
    }
    const conflict = this.checkMapping(mapping, doc, '');
    if (conflict) {
      return {
        ...base,
        status: 400,
        error: {
          type: 'document_parsing_exception',
          reason: `[1:2] failed to parse field [${conflict.field}] of type [${conflict.type}] in document with id '${id}'. Preview of field's value: '${conflict.preview}'`,
        },
      };
    }
    if (!docs) {
      docs = new Map();
      this.indices.set(index, docs);
    }
    docs.set(id, doc);
    const uuid = (doc.event as { uuid?: unknown } | undefined)?.uuid;
    if (typeof uuid === 'string') this.eventUuids.set(uuid, (this.eventUuids.get(uuid) ?? 0) + 1);
    return { ...base, _version: 1, result: 'created', status: 201 };
  }

  private checkMapping(mapping: Map<string, FieldType>, doc: Record<string, unknown>, prefix: string): { field: string; type: FieldType; preview: string } | undefined {
    const learned: [string, FieldType][] = [];
    const walk = (obj: Record<string, unknown>, at: string): { field: string; type: FieldType; preview: string } | undefined => {
      for (const [key, value] of Object.entries(obj)) {
        const field = at === '' ? key : `${at}.${key}`;
        const type = typeOf(value);
        if (type === undefined) continue;
        const known = mapping.get(field) ?? learned.find(([f]) => f === field)?.[1];
        if (known !== undefined && known !== type) return { field, type: known, preview: (type === 'object' ? '{...}' : String(value)).slice(0, 20) };
        if (known === undefined) learned.push([field, type]);
        if (type === 'object') {
          const inner = walk(value as Record<string, unknown>, field);
          if (inner) return inner;
        }
      }
      return undefined;
    };
    const conflict = walk(doc, prefix);
    if (!conflict) for (const [f, t] of learned) mapping.set(f, t);
    return conflict;
  }
}
