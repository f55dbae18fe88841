import type { SeededRandom } from './rng.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A 1Password-style 26-character base32 id. Events, users, sessions, groups and accounts appear
 * uppercase in real payloads; vaults, items and devices lowercase (reference §11.1).
 */
export function base32Id(rng: SeededRandom, casing: 'upper' | 'lower' = 'upper'): string {
  let id = '';
  for (let i = 0; i < 26; i++) id += BASE32[rng.int(0, 31)];
  return casing === 'upper' ? id : id.toLowerCase();
}

/** IPv4 from the documentation ranges (RFC 5737) or an IPv6 one (RFC 3849), so fixtures never point at real hosts. */
export function documentationIp(rng: SeededRandom): string {
  if (rng.chance(0.1)) return `2001:db8:${rng.int(0, 0xffff).toString(16)}::${rng.int(1, 0xffff).toString(16)}`;
  const prefix = rng.pick(['192.0.2', '198.51.100', '203.0.113']);
  return `${prefix}.${rng.int(1, 254)}`;
}
