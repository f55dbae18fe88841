import { base32Id } from './ids.js';
import { SeededRandom } from './rng.js';

/** The fake account the events are about: people, groups, vaults, items and devices. */
export interface MockWorld {
  accountUuid: string;
  /** The Events Reporting integration; introspect's uuid and the token's `sub`. */
  integrationUuid: string;
  users: MockUser[];
  groups: MockGroup[];
  vaults: MockVault[];
}

export interface MockUser {
  uuid: string;
  name: string;
  email: string;
  /** `external_user` for MSP technicians from another account. */
  userType: 'user' | 'external_user';
  userAccountUuid: string;
  devices: string[];
  home: MockPlace;
}

interface MockGroup {
  uuid: string;
  name: string;
}

interface MockVault {
  uuid: string;
  name: string;
  items: string[];
}

export interface MockPlace {
  country: string;
  region: string;
  city: string;
  latitude: number;
  longitude: number;
  continent: string;
}

export const PLACES: readonly MockPlace[] = [
  { country: 'CA', region: 'Ontario', city: 'Toronto', latitude: 43.6532, longitude: -79.3832, continent: 'North America' },
  { country: 'CA', region: 'British Columbia', city: 'Vancouver', latitude: 49.2827, longitude: -123.1207, continent: 'North America' },
  { country: 'US', region: 'California', city: 'San Francisco', latitude: 37.7749, longitude: -122.4194, continent: 'North America' },
  { country: 'US', region: 'New York', city: 'New York', latitude: 40.7128, longitude: -74.006, continent: 'North America' },
  { country: 'US', region: 'Texas', city: 'Austin', latitude: 30.2672, longitude: -97.7431, continent: 'North America' },
  { country: 'GB', region: 'England', city: 'London', latitude: 51.5072, longitude: -0.1276, continent: 'Europe' },
  { country: 'DE', region: 'Berlin', city: 'Berlin', latitude: 52.52, longitude: 13.405, continent: 'Europe' },
  { country: 'FR', region: 'Île-de-France', city: 'Paris', latitude: 48.8566, longitude: 2.3522, continent: 'Europe' },
  { country: 'NL', region: 'North Holland', city: 'Amsterdam', latitude: 52.3676, longitude: 4.9041, continent: 'Europe' },
  { country: 'AR', region: 'Buenos Aires F.D.', city: 'Buenos Aires', latitude: -34.6037, longitude: -58.3816, continent: 'South America' },
  { country: 'BR', region: 'São Paulo', city: 'São Paulo', latitude: -23.5558, longitude: -46.6396, continent: 'South America' },
  { country: 'JP', region: 'Tokyo', city: 'Tokyo', latitude: 35.6762, longitude: 139.6503, continent: 'Asia' },
  { country: 'IN', region: 'Karnataka', city: 'Bengaluru', latitude: 12.9716, longitude: 77.5946, continent: 'Asia' },
  { country: 'AU', region: 'New South Wales', city: 'Sydney', latitude: -33.8688, longitude: 151.2093, continent: 'Oceania' },
];

const FIRST_NAMES = [
  'Wendy',
  'Jack',
  'Samantha',
  'Daniel',
  'Teal',
  'Priya',
  'Mateo',
  'Aiko',
  'Olu',
  'Ingrid',
  'Ravi',
  'Lucia',
  'Noah',
  'Fatima',
  'Chen',
  'Elena',
  'Marcus',
  'Sofia',
  'Kwame',
  'Hannah',
  'Tomas',
  'Yara',
  'Oscar',
  'Mei',
];
const LAST_NAMES = [
  'Appleseed',
  "O'Neill",
  'Carter',
  'Jackson',
  'Nakamura',
  'Okafor',
  'Lindqvist',
  'Patel',
  'Garcia',
  'Haddad',
  'Kowalski',
  'Moreau',
  'Silva',
  'Mensah',
  'Schmidt',
  'Rossi',
  'Novak',
  'Dubois',
];
const GROUP_NAMES = ['Owners', 'Administrators', 'Team Members', 'Recovery', 'Security', 'Engineering', 'Finance', 'Support'];
const VAULT_NAMES = ['Shared', 'Engineering', 'Infrastructure', 'Finance', 'Marketing', 'Security Team', 'Customer Success', 'Break Glass'];

const EMAIL_DOMAIN = 'example.com';

/** Builds a deterministic account of about two dozen people, eight groups and eight vaults. */
export function buildWorld(rng: SeededRandom, options: { accountUuid?: string; users?: number } = {}): MockWorld {
  const accountUuid = options.accountUuid ?? base32Id(rng);
  const integrationUuid = base32Id(rng);
  const mspAccountUuid = base32Id(rng);
  const usedNames = new Set<string>();
  const users: MockUser[] = [];
  const userCount = options.users ?? 24;
  for (let i = 0; i < userCount; i++) {
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    for (let tries = 0; usedNames.has(`${first} ${last}`) && tries < 20; tries++) {
      first = rng.pick(FIRST_NAMES);
      last = rng.pick(LAST_NAMES);
    }
    usedNames.add(`${first} ${last}`);
    const external = i >= userCount - 2;
    const localPart = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    users.push({
      uuid: base32Id(rng),
      name: `${first} ${last}`,
      email: external ? `${localPart}@msp.${EMAIL_DOMAIN}` : `${localPart}@${EMAIL_DOMAIN}`,
      userType: external ? 'external_user' : 'user',
      userAccountUuid: external ? mspAccountUuid : accountUuid,
      devices: Array.from({ length: rng.int(1, 3) }, () => base32Id(rng, 'lower')),
      home: rng.pick(PLACES),
    });
  }
  const groups = GROUP_NAMES.map((name) => ({ uuid: base32Id(rng), name }));
  const vaults = VAULT_NAMES.map((name) => ({ uuid: base32Id(rng, 'lower'), name, items: Array.from({ length: rng.int(4, 12) }, () => base32Id(rng, 'lower')) }));
  return { accountUuid, integrationUuid, users, groups, vaults };
}

let defaultWorldCache: MockWorld | undefined;

/** The world the item factories use when none is passed: always the same (seed "hel"). */
export function defaultWorld(): MockWorld {
  defaultWorldCache ??= buildWorld(new SeededRandom('hel'));
  return defaultWorldCache;
}
