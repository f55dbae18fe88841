/**
 * The bundled mock's whole data set, from its own factories: every audit action/object type pair
 * it emits, every sign-in category/type pairing and every item usage action, in v1 and v2, plus
 * a random backlog per stream as the mock server serves it.
 */
import { AUDIT_TEMPLATES, ITEM_USAGE_ACTIONS, SIGN_IN_TYPES, createRng, makeAuditEvent, makeItem, makeItemUsage, makeSignInAttempt } from '../../src/integrations/onepassword/mock/items.js';
import type { ApiVersion, Stream } from '../../src/integrations/onepassword/mock/items.js';

export interface DatasetEvent {
  stream: Stream;
  version: ApiVersion;
  /** What the event exercises, for messages. */
  label: string;
  event: Record<string, unknown>;
}

const VERSIONS: readonly ApiVersion[] = ['v1', 'v2'];
const STREAMS: readonly Stream[] = ['auditevents', 'signinattempts', 'itemusages'];

export function mockDataset(options: { perPair?: number; backlog?: number; seed?: string } = {}): DatasetEvent[] {
  const perPair = options.perPair ?? 4;
  const backlog = options.backlog ?? 300;
  const rng = createRng(options.seed ?? 'ocsf-dataset');
  const out: DatasetEvent[] = [];
  const add = (stream: Stream, version: ApiVersion, label: string, event: object) => out.push({ stream, version, label, event: event as Record<string, unknown> });
  for (const version of VERSIONS) {
    for (const t of AUDIT_TEMPLATES) {
      for (let i = 0; i < perPair; i++) add('auditevents', version, `${t.objectType}/${t.action}`, makeAuditEvent(rng, version, { action: t.action, object_type: t.objectType }));
    }
    for (const [category, types] of Object.entries(SIGN_IN_TYPES)) {
      for (const type of types) {
        if (version === 'v1' && type === 'federated') continue;
        for (let i = 0; i < perPair; i++) add('signinattempts', version, `${category}/${type}`, makeSignInAttempt(rng, version, { category, type }));
      }
    }
    for (const [action] of ITEM_USAGE_ACTIONS) {
      for (let i = 0; i < perPair; i++) add('itemusages', version, action, makeItemUsage(rng, version, { action }));
    }
    for (const stream of STREAMS) {
      for (let i = 0; i < backlog; i++) add(stream, version, `${stream} backlog`, makeItem(stream, rng, version));
    }
  }
  return out;
}

export function endpointOf(stream: Stream, version: ApiVersion): string {
  return `/api/${version}/${stream}`;
}
