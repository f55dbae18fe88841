/**
 * Pure, seeded factories for Events API items, shared by the mock server and by tests that need
 * fixtures with known content, e.g. exactly three user suspensions:
 *
 *   const rng = createRng('report-fixture');
 *   const suspensions = [1, 2, 3].map(() => makeAuditEvent(rng, 'v2', { action: 'suspend', object_type: 'user' }));
 */
import type { SeededRandom } from './rng.js';
import type { ApiVersion, Overrides, Stream, StreamItems, UserObject } from './shapes.js';
import type { ItemContext } from './generate-common.js';
import { makeAuditEvent } from './audit-events.js';
import { makeSignInAttempt } from './sign-in-attempts.js';
import { makeItemUsage } from './item-usages.js';

export { createRng, SeededRandom } from './rng.js';
export { makeAuditEvent, AUDIT_TEMPLATES } from './audit-events.js';
export { makeSignInAttempt, SIGN_IN_TYPES } from './sign-in-attempts.js';
export { makeItemUsage, ITEM_USAGE_ACTIONS } from './item-usages.js';
export { defaultWorld, type MockUser } from './world.js';
export { DEFAULT_ITEM_TIME_MS, type ItemContext } from './generate-common.js';
export { formatRfc3339Nano, parseRfc3339 } from './time.js';
export type * from './shapes.js';

/** The factory for a stream, for code that is generic over streams. */
export function makeItem<S extends Stream>(stream: S, rng: SeededRandom, version: ApiVersion = 'v2', overrides?: Overrides<StreamItems[S]>, context?: ItemContext): StreamItems[S] {
  switch (stream) {
    case 'auditevents':
      return makeAuditEvent(rng, version, overrides, context) as StreamItems[S];
    case 'signinattempts':
      return makeSignInAttempt(rng, version, overrides, context) as StreamItems[S];
    default:
      return makeItemUsage(rng, version, overrides, context) as StreamItems[S];
  }
}

const V2_ONLY_TOP_LEVEL = ['account_uuid', 'actor_type', 'actor_account_uuid'];
const USER_OBJECT_KEYS = ['actor_details', 'object_details', 'aux_details', 'target_user', 'user'];

/** Serialises a (v2) item as the given API version sends it: v1 lacks the MSP fields (reference §12.2). */
export function toApiVersion<T extends object>(item: T, version: ApiVersion): T {
  if (version === 'v2') return item;
  const v1 = { ...item } as Record<string, unknown>;
  for (const key of V2_ONLY_TOP_LEVEL) delete v1[key];
  for (const key of USER_OBJECT_KEYS) {
    const user = v1[key] as UserObject | undefined;
    if (user && typeof user === 'object') {
      const { user_type: _type, user_account_uuid: _account, ...plain } = user;
      v1[key] = plain;
    }
  }
  return v1 as T;
}
