import type { SeededRandom } from './rng.js';
import { base32Id, documentationIp } from './ids.js';
import { formatRfc3339Nano, msToNanos } from './time.js';
import type { ApiVersion, AuditEvent, Overrides } from './shapes.js';
import type { MockUser, MockWorld } from './world.js';
import { PLACES } from './world.js';
import { applyOverrides, findUser, locationObject, placeFor, realisticTimestamp, resolveContext, userObject, type ItemContext } from './generate-common.js';

interface TemplateContext {
  rng: SeededRandom;
  world: MockWorld;
  actor: MockUser;
  version: ApiVersion;
}

type AuditFields = Pick<AuditEvent, 'object_uuid'> & Partial<Pick<AuditEvent, 'object_details' | 'aux_id' | 'aux_uuid' | 'aux_details' | 'aux_info'>>;

interface AuditTemplate {
  action: string;
  objectType: string;
  /** Relative frequency in a realistic business account. */
  weight: number;
  build(ctx: TemplateContext): AuditFields;
}

/** Vault ACL bit sets as sent in aux_id for uva/gva grants: view-only up to manage-vault. */
const VAULT_ACL_BITS = [32, 160, 162, 1008, 1048050, 1048562, 16777202];

function otherUser(ctx: TemplateContext): MockUser {
  const candidates = ctx.world.users.filter((u) => u.uuid !== ctx.actor.uuid);
  return ctx.rng.pick(candidates.length > 0 ? candidates : ctx.world.users);
}

function aboutUser(ctx: TemplateContext, user: MockUser): AuditFields {
  return { object_uuid: user.uuid, object_details: userObject(user, ctx.version, false) };
}

function vaultAccess(ctx: TemplateContext): AuditFields {
  const user = otherUser(ctx);
  return { object_uuid: ctx.rng.pick(ctx.world.vaults).uuid, aux_id: ctx.rng.pick(VAULT_ACL_BITS), aux_uuid: user.uuid, aux_details: userObject(user, ctx.version, false) };
}

function groupVaultAccess(ctx: TemplateContext): AuditFields {
  return { object_uuid: ctx.rng.pick(ctx.world.vaults).uuid, aux_id: ctx.rng.pick(VAULT_ACL_BITS), aux_uuid: ctx.rng.pick(ctx.world.groups).uuid };
}

function groupMembership(ctx: TemplateContext, withRole: boolean): AuditFields {
  const user = otherUser(ctx);
  const fields: AuditFields = { object_uuid: ctx.rng.pick(ctx.world.groups).uuid, aux_uuid: user.uuid, aux_details: userObject(user, ctx.version, false) };
  if (withRole) fields.aux_info = ctx.rng.chance(0.2) ? 'A' : 'M';
  return fields;
}

const self = (ctx: TemplateContext): AuditFields => aboutUser(ctx, ctx.actor);
const someUser = (ctx: TemplateContext): AuditFields => aboutUser(ctx, otherUser(ctx));
const someVault = (ctx: TemplateContext): AuditFields => ({ object_uuid: ctx.rng.pick(ctx.world.vaults).uuid });
const someGroup = (ctx: TemplateContext): AuditFields => ({ object_uuid: ctx.rng.pick(ctx.world.groups).uuid });
const theAccount = (ctx: TemplateContext): AuditFields => ({ object_uuid: ctx.world.accountUuid });
const newUpper = (ctx: TemplateContext): AuditFields => ({ object_uuid: base32Id(ctx.rng) });

/** Realistic action/object_type pairs (reference §11.7-§11.8) with their aux fields. */
export const AUDIT_TEMPLATES: readonly AuditTemplate[] = [
  { action: 'grant', objectType: 'uva', weight: 8, build: vaultAccess },
  { action: 'revoke', objectType: 'uva', weight: 4, build: vaultAccess },
  { action: 'update', objectType: 'uva', weight: 3, build: vaultAccess },
  { action: 'grant', objectType: 'gva', weight: 3, build: groupVaultAccess },
  { action: 'revoke', objectType: 'gva', weight: 2, build: groupVaultAccess },
  { action: 'update', objectType: 'gva', weight: 1.5, build: groupVaultAccess },
  { action: 'join', objectType: 'gm', weight: 6, build: (ctx) => groupMembership(ctx, true) },
  { action: 'leave', objectType: 'gm', weight: 3, build: (ctx) => groupMembership(ctx, false) },
  { action: 'role', objectType: 'gm', weight: 0.8, build: (ctx) => groupMembership(ctx, true) },
  { action: 'create', objectType: 'invite', weight: 3, build: someUser },
  { action: 'join', objectType: 'user', weight: 2, build: self },
  { action: 'activate', objectType: 'user', weight: 3, build: someUser },
  { action: 'suspend', objectType: 'user', weight: 1.5, build: someUser },
  { action: 'reactive', objectType: 'user', weight: 0.7, build: someUser },
  { action: 'delete', objectType: 'user', weight: 0.5, build: someUser },
  { action: 'beginr', objectType: 'user', weight: 0.5, build: someUser },
  { action: 'completr', objectType: 'user', weight: 0.3, build: someUser },
  { action: 'upguest', objectType: 'user', weight: 0.2, build: someUser },
  { action: 'changenm', objectType: 'user', weight: 0.4, build: self },
  { action: 'changemp', objectType: 'user', weight: 0.6, build: self },
  { action: 'enblmfa', objectType: 'user', weight: 1, build: self },
  { action: 'disblmfa', objectType: 'user', weight: 0.4, build: self },
  { action: 'dealldev', objectType: 'user', weight: 0.2, build: someUser },
  { action: 'expire', objectType: 'invite', weight: 0.3, build: newUpper },
  { action: 'create', objectType: 'vault', weight: 2, build: someVault },
  { action: 'update', objectType: 'vault', weight: 2, build: someVault },
  { action: 'delete', objectType: 'vault', weight: 0.3, build: someVault },
  { action: 'export', objectType: 'items', weight: 0.2, build: someVault },
  { action: 'create', objectType: 'group', weight: 0.7, build: someGroup },
  { action: 'update', objectType: 'group', weight: 0.5, build: someGroup },
  { action: 'delete', objectType: 'group', weight: 0.2, build: someGroup },
  {
    action: 'delete',
    objectType: 'device',
    weight: 0.8,
    build: (ctx) => {
      const owner = otherUser(ctx);
      return { object_uuid: ctx.rng.pick(owner.devices), aux_uuid: owner.uuid, aux_details: userObject(owner, ctx.version, false) };
    },
  },
  { action: 'create', objectType: 'sa', weight: 0.3, build: newUpper },
  { action: 'create', objectType: 'satoken', weight: 0.3, build: newUpper },
  { action: 'trevoke', objectType: 'satoken', weight: 0.1, build: newUpper },
  { action: 'updatmfa', objectType: 'account', weight: 0.2, build: theAccount },
  { action: 'updatfw', objectType: 'account', weight: 0.2, build: theAccount },
  { action: 'update', objectType: 'account', weight: 0.2, build: theAccount },
  { action: 'enblsso', objectType: 'sso', weight: 0.1, build: newUpper },
  { action: 'disblsso', objectType: 'sso', weight: 0.05, build: newUpper },
  { action: 'chngpsso', objectType: 'sso', weight: 0.1, build: newUpper },
  { action: 'chngasso', objectType: 'sso', weight: 0.1, build: newUpper },
  { action: 'share', objectType: 'item', weight: 0.4, build: (ctx) => ({ object_uuid: ctx.rng.pick(ctx.rng.pick(ctx.world.vaults).items) }) },
];

/**
 * One audit event. Overrides pin fields; when they name an `action` and/or `object_type`, the
 * matching template builds the rest (aux fields, details) so `{ action: 'suspend' }` yields a
 * realistic user suspension.
 */
export function makeAuditEvent(rng: SeededRandom, version: ApiVersion = 'v2', overrides?: Overrides<AuditEvent>, context?: ItemContext): AuditEvent {
  const { world, at } = resolveContext(context);
  const matching = AUDIT_TEMPLATES.filter(
    (t) => (overrides?.action === undefined || t.action === overrides.action) && (overrides?.object_type === undefined || t.objectType === overrides.object_type),
  );
  const template = matching.length > 0 ? rng.weighted(matching.map((t) => [t, t.weight] as const)) : undefined;
  const pinnedActor = findUser(world, overrides?.actor_uuid);
  const actor = pinnedActor ?? pickActor(rng, world);
  const ctx: TemplateContext = { rng, world, actor, version };
  const fields: AuditFields = template ? template.build(ctx) : { object_uuid: base32Id(rng) };
  const stamp = realisticTimestamp(rng, at);
  const loginMs = at - rng.int(60_000, 8 * 3_600_000);
  const place = placeFor(rng, actor, PLACES);
  const event: AuditEvent = {
    uuid: base32Id(rng),
    timestamp: stamp.text,
    actor_uuid: actor.uuid,
    actor_details: userObject(actor, version, false),
    ...(version === 'v2' ? { actor_type: actor.userType, actor_account_uuid: actor.userAccountUuid, account_uuid: world.accountUuid } : {}),
    action: template?.action ?? overrides?.action ?? 'unknown',
    object_type: template?.objectType ?? overrides?.object_type ?? 'account',
    ...fields,
    session: {
      uuid: base32Id(rng),
      login_time: formatRfc3339Nano(msToNanos(loginMs) + BigInt(rng.int(0, 999_999))),
      device_uuid: rng.pick(actor.devices),
      ip: documentationIp(rng),
    },
  };
  if (rng.chance(0.9)) event.location = locationObject(place);
  return applyOverrides(event, overrides);
}

/** Mostly members of the account; now and then an MSP technician (external_user). */
function pickActor(rng: SeededRandom, world: MockWorld): MockUser {
  const external = world.users.filter((u) => u.userType === 'external_user');
  const internal = world.users.filter((u) => u.userType === 'user');
  return rng.pick(external.length > 0 && (internal.length === 0 || rng.chance(0.05)) ? external : internal);
}
