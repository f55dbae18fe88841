import type { SeededRandom } from './rng.js';
import { documentationIp } from './ids.js';
import { formatRfc3339Nano, msToNanos, type Nanos } from './time.js';
import type { ApiVersion, ClientObject, LocationObject, Overrides, UserObject } from './shapes.js';
import { defaultWorld, type MockPlace, type MockUser, type MockWorld } from './world.js';

/** Where and when a generated item happens. */
export interface ItemContext {
  /** People, groups and vaults to draw from; default: the fixed world of seed "hel". */
  world?: MockWorld;
  /** Event time in ms. Default 2026-03-02T12:00:00Z, so factories stay pure and reproducible. */
  at?: number;
}

export const DEFAULT_ITEM_TIME_MS = Date.UTC(2026, 2, 2, 12, 0, 0);

export function resolveContext(context: ItemContext | undefined): { world: MockWorld; at: number } {
  return { world: context?.world ?? defaultWorld(), at: context?.at ?? DEFAULT_ITEM_TIME_MS };
}

/**
 * A timestamp at `ms` with realistic precision: mostly nanoseconds, sometimes microseconds,
 * milliseconds or whole seconds, as seen in real payloads (reference §4).
 */
export function realisticTimestamp(rng: SeededRandom, ms: number): { ns: Nanos; text: string } {
  const precision = rng.weighted([
    ['ns', 75],
    ['us', 15],
    ['ms', 7],
    ['s', 3],
  ] as const);
  const base = msToNanos(ms);
  let ns: Nanos;
  switch (precision) {
    case 'ns':
      ns = base + BigInt(rng.int(0, 999_999));
      break;
    case 'us':
      ns = base + BigInt(rng.int(0, 999) * 1000);
      break;
    case 'ms':
      ns = base;
      break;
    case 's':
      ns = msToNanos(Math.floor(ms / 1000) * 1000);
      break;
  }
  return { ns, text: formatRfc3339Nano(ns) };
}

export function userObject(user: MockUser, version: ApiVersion, withUserType: boolean): UserObject {
  const object: UserObject = { uuid: user.uuid, name: user.name, email: user.email };
  if (version === 'v2' && (withUserType || user.userType === 'external_user')) {
    object.user_type = user.userType;
    if (user.userType === 'external_user') object.user_account_uuid = user.userAccountUuid;
  }
  return object;
}

export function locationObject(place: MockPlace): LocationObject {
  return { country: place.country, region: place.region, city: place.city, latitude: place.latitude, longitude: place.longitude };
}

/** Mostly the user's home city, sometimes travelling, and now and then unknown (absent). */
export function placeFor(rng: SeededRandom, user: MockUser, places: readonly MockPlace[]): MockPlace {
  return rng.chance(0.85) ? user.home : rng.pick(places);
}

export function findUser(world: MockWorld, uuid: string | undefined): MockUser | undefined {
  return uuid === undefined ? undefined : world.users.find((u) => u.uuid === uuid);
}

type ClientKind = 'browser' | 'desktop' | 'mobile' | 'cli' | 'web' | 'connect';

const BROWSERS = [
  ['Chrome', '133.0.6943.98'],
  ['Firefox', '135.0'],
  ['Edge', '133.0.3065.69'],
  ['Safari', '18.3'],
] as const;

type AppPlatform = readonly [app: string, platform: string, platformVersion: string, os: string, osVersion: string];

const DESKTOPS: readonly AppPlatform[] = [
  ['1Password for Mac', 'MacBookPro18,3', '', 'MacOSX', '14.6.1'],
  ['1Password for Mac', 'Mac14,2', '', 'MacOSX', '15.3.1'],
  ['1Password for Windows', 'Latitude 7440', '', 'Windows', '10.0.22631'],
  ['1Password for Linux', 'ThinkPad X1 Carbon Gen 11', '', 'Linux', '6.8.0'],
];

const MOBILES: readonly AppPlatform[] = [
  ['1Password for iOS', 'iPhone15,2', '', 'iOS', '17.5.1'],
  ['1Password for Android', 'Pixel 8', '', 'Android', '14'],
];

const OPERATING_SYSTEMS = [
  ['MacOSX', '14.6.1'],
  ['Windows', '10.0.22631'],
  ['Linux', '6.8.0'],
] as const;

export function clientObject(rng: SeededRandom, kind: ClientKind, ip: string = documentationIp(rng)): ClientObject {
  switch (kind) {
    case 'browser':
    case 'web': {
      const [browser, browserVersion] = rng.pick(BROWSERS);
      const [os, osVersion] = browser === 'Safari' ? (['MacOSX', '14.6.1'] as const) : rng.pick(OPERATING_SYSTEMS);
      return {
        app_name: kind === 'web' ? '1Password.com' : '1Password Browser Extension',
        app_version: kind === 'web' ? String(rng.int(1800, 1900)) : String(rng.int(20100, 20200)),
        platform_name: browser,
        platform_version: browserVersion,
        os_name: os,
        os_version: osVersion,
        ip_address: ip,
      };
    }
    case 'desktop':
    case 'mobile': {
      const [app, platform, platformVersion, os, osVersion] = rng.pick(kind === 'desktop' ? DESKTOPS : MOBILES);
      return { app_name: app, app_version: String(rng.int(81020000, 81039999)), platform_name: platform, platform_version: platformVersion, os_name: os, os_version: osVersion, ip_address: ip };
    }
    case 'cli':
      return { app_name: '1Password CLI', app_version: String(rng.int(2290000, 2310000)), platform_name: 'Linux', platform_version: 'x86_64', os_name: 'Linux', os_version: '6.8.0', ip_address: ip };
    case 'connect':
      return { app_name: '1Password Connect', app_version: '1.7.3', platform_name: 'Linux', platform_version: 'x86_64', os_name: 'Linux', os_version: '6.1.0', ip_address: ip };
  }
}

export function pickClientKind(rng: SeededRandom): ClientKind {
  return rng.weighted([
    ['browser', 40],
    ['desktop', 30],
    ['mobile', 15],
    ['web', 10],
    ['cli', 5],
  ] as const);
}

export type { ClientKind };

/** Shallow-merges overrides; a key explicitly set to undefined removes the field. */
export function applyOverrides<T extends object>(item: T, overrides: Overrides<T> | undefined): T {
  if (!overrides) return item;
  const merged = { ...item } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged as T;
}
