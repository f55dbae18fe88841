import type { SeededRandom } from './rng.js';
import { base32Id, documentationIp } from './ids.js';
import type { ApiVersion, Overrides, SignInAttempt } from './shapes.js';
import { PLACES } from './world.js';
import { applyOverrides, clientObject, findUser, locationObject, pickClientKind, placeFor, realisticTimestamp, resolveContext, userObject, type ItemContext } from './generate-common.js';

/**
 * Category → type pairings (reference §11.6). They are inferred, not documented, but keep the
 * fake from producing nonsense such as a `success` with `totp_bad`.
 */
export const SIGN_IN_TYPES: Readonly<Record<string, readonly string[]>> = {
  success: ['credentials_ok', 'mfa_ok', 'federated'],
  credentials_failed: ['password_secret_bad', 'platform_secret_bad', 'platform_secret_disabled', 'platform_secret_proxy', 'code_bad', 'code_disabled', 'code_timeout'],
  mfa_failed: ['mfa_missing', 'totp_bad', 'totp_disabled', 'totp_timeout', 'u2f_bad', 'u2f_disabled', 'u2f_timeout', 'duo_bad', 'duo_disabled', 'duo_native_bad', 'duo_timeout'],
  sso_failed: ['non_sso_user', 'sso_user_mismatch', 'service_account_sso_denied'],
  modern_version_failed: ['modern_version_missing', 'modern_version_old'],
  firewall_failed: ['ip_blocked', 'country_blocked', 'continent_blocked', 'anonymous_blocked', 'all_blocked'],
  firewall_reported_success: ['ip_blocked', 'country_blocked', 'continent_blocked', 'anonymous_blocked', 'all_blocked'],
};

const CATEGORY_WEIGHTS = [
  ['success', 82],
  ['credentials_failed', 8],
  ['mfa_failed', 4],
  ['sso_failed', 1.5],
  ['modern_version_failed', 0.5],
  ['firewall_failed', 3],
  ['firewall_reported_success', 1],
] as const;

const SUCCESS_TYPE_WEIGHTS = [
  ['credentials_ok', 60],
  ['mfa_ok', 30],
  ['federated', 10],
] as const;

function categoryOfType(type: string): string | undefined {
  return Object.keys(SIGN_IN_TYPES).find((category) => SIGN_IN_TYPES[category]?.includes(type));
}

/** One sign-in attempt; `details` is null unless a firewall rule was involved. */
export function makeSignInAttempt(rng: SeededRandom, version: ApiVersion = 'v2', overrides?: Overrides<SignInAttempt>, context?: ItemContext): SignInAttempt {
  const { world, at } = resolveContext(context);
  const category = overrides?.category ?? (overrides?.type !== undefined ? categoryOfType(overrides.type) : undefined) ?? rng.weighted(CATEGORY_WEIGHTS);
  const types = (SIGN_IN_TYPES[category] ?? ['credentials_ok']).filter((t) => version === 'v2' || t !== 'federated');
  const type = overrides?.type ?? (category === 'success' ? rng.weighted(SUCCESS_TYPE_WEIGHTS.filter(([t]) => types.includes(t))) : rng.pick(types));
  const user = findUser(world, overrides?.target_user?.uuid) ?? rng.pick(world.users);
  const firewall = category.startsWith('firewall');
  // Firewall blocks are mostly from far away; everything else mostly from the user's home.
  const place = firewall ? rng.pick(PLACES) : placeFor(rng, user, PLACES);
  const ip = documentationIp(rng);
  const attempt: SignInAttempt = {
    uuid: base32Id(rng),
    session_uuid: base32Id(rng),
    timestamp: realisticTimestamp(rng, at).text,
    category,
    type,
    country: place.country,
    details: firewall ? { value: firewallValue(type, place.continent, place.country, ip) } : null,
    target_user: userObject(user, version, true),
    client: clientObject(rng, pickClientKind(rng), ip),
  };
  if (rng.chance(0.9)) attempt.location = locationObject(place);
  if (version === 'v2') attempt.account_uuid = world.accountUuid;
  return applyOverrides(attempt, overrides);
}

function firewallValue(type: string, continent: string, country: string, ip: string): string {
  switch (type) {
    case 'continent_blocked':
      return continent;
    case 'country_blocked':
      return country;
    case 'ip_blocked':
      return ip;
    case 'anonymous_blocked':
      return 'Anonymous IP';
    default:
      return 'All';
  }
}
