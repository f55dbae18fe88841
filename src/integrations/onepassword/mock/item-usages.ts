import type { SeededRandom } from './rng.js';
import { base32Id } from './ids.js';
import type { ApiVersion, ItemUsage, Overrides } from './shapes.js';
import { PLACES } from './world.js';
import {
  applyOverrides,
  clientObject,
  findUser,
  locationObject,
  pickClientKind,
  placeFor,
  realisticTimestamp,
  resolveContext,
  userObject,
  type ClientKind,
  type ItemContext,
} from './generate-common.js';

/** Item usage actions (reference §11.5) weighted roughly as a working team produces them. */
export const ITEM_USAGE_ACTIONS = [
  ['fill', 30],
  ['secure-copy', 20],
  ['reveal', 15],
  ['server-fetch', 14],
  ['enter-item-edit-mode', 5],
  ['server-update', 4],
  ['server-create', 4],
  ['select-sso-provider', 3],
  ['other', 2],
  ['export', 1],
  ['share', 1],
] as const;

/** server-* actions come from the web, the CLI or Connect; the rest from apps people hold. */
function clientKindFor(rng: SeededRandom, action: string): ClientKind {
  if (action.startsWith('server-'))
    return rng.weighted([
      ['web', 50],
      ['cli', 30],
      ['connect', 20],
    ] as const);
  if (action === 'fill')
    return rng.weighted([
      ['browser', 70],
      ['desktop', 20],
      ['mobile', 10],
    ] as const);
  return pickClientKind(rng);
}

/** One item usage. Only shared vaults are reported, so vault_uuid is always a shared vault. */
export function makeItemUsage(rng: SeededRandom, version: ApiVersion = 'v2', overrides?: Overrides<ItemUsage>, context?: ItemContext): ItemUsage {
  const { world, at } = resolveContext(context);
  const action = overrides?.action ?? rng.weighted(ITEM_USAGE_ACTIONS);
  const user = findUser(world, overrides?.user?.uuid) ?? rng.pick(world.users);
  const vault = world.vaults.find((v) => v.uuid === overrides?.vault_uuid) ?? rng.pick(world.vaults);
  const place = placeFor(rng, user, PLACES);
  const usage: ItemUsage = {
    uuid: base32Id(rng),
    timestamp: realisticTimestamp(rng, at).text,
    used_version: rng.int(1, 24),
    vault_uuid: vault.uuid,
    item_uuid: vault.items.length > 0 ? rng.pick(vault.items) : base32Id(rng, 'lower'),
    action,
    user: userObject(user, version, true),
    client: clientObject(rng, clientKindFor(rng, action)),
  };
  if (rng.chance(0.85)) usage.location = locationObject(place);
  if (version === 'v2') usage.account_uuid = world.accountUuid;
  return applyOverrides(usage, overrides);
}
