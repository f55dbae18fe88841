import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, defaultWorld, makeAuditEvent, makeItemUsage, makeSignInAttempt, type MockUser, type SeededRandom } from '../../src/integrations/onepassword/mock/items.js';

/**
 * A planted event set with known figures, built with the mock's item factories. Every count the
 * report tests assert is derived from the plan below, not read back from the report.
 *
 * Period: 2026-03-01 .. 2026-03-07 (UTC).
 */
const DAY = 86_400_000;
const MIN = 60_000;
export const T0 = Date.UTC(2026, 2, 1);

const world = defaultWorld();
const internal = world.users.filter((u) => u.userType === 'user');
export const ADMIN = internal[0]!;
export const ALICE = internal[1]!; // repeated sign-in failures; a usage spike
export const BOB = internal[2]!; // some MFA failures; steady heavy usage
export const CAROL = internal[3]!; // firewall blocks; exports
export const NEWBIE = internal[4]!; // invite → join → confirm → suspend → reactivate
export const VAULT_A = world.vaults[0]!.uuid;
export const VAULT_B = world.vaults[1]!.uuid;
export const VAULT_C = world.vaults[2]!.uuid;
export const GROUP = world.groups[5]!.uuid;

export const XSS_NAME = '<script>alert("x")</script><img src=x onerror=alert(1)>';

const userRef = (u: MockUser) => ({ uuid: u.uuid, name: u.name, email: u.email });

type Line = Record<string, unknown>;

export interface Fixture {
  audit: Line[];
  signin: Line[];
  itemusage: Line[];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function auditEvents(rng: SeededRandom): Line[] {
  const out: Line[] = [];
  let minute = 0;
  // All planted audit events fall on 2026-03-01, ten minutes apart, by ADMIN unless noted.
  const at = () => iso(T0 + (minute += 10) * MIN);
  const audit = (overrides: Record<string, unknown>) => out.push(makeAuditEvent(rng, 'v2', { actor_uuid: ADMIN.uuid, timestamp: at(), ...overrides }) as unknown as Line);
  const about = (u: MockUser) => ({ object_uuid: u.uuid, object_details: userRef(u) });

  // Administrative changes: 6 (MFA and security policy 3, Single sign-on 1, Integrations and tokens 1, Groups and roles 1).
  audit({ action: 'updatfw', object_type: 'account' });
  audit({ action: 'updatfw', object_type: 'account' });
  audit({ action: 'disblmfa', object_type: 'user' });
  audit({ action: 'enblsso', object_type: 'sso' });
  audit({ action: 'create', object_type: 'satoken' });
  audit({ action: 'upguest', object_type: 'user', ...about(BOB), actor_details: { uuid: ADMIN.uuid, name: XSS_NAME, email: ADMIN.email } });

  // Team membership: invited 2, joined 3, confirmed 2, suspended 1, reactivated 1, deleted 1, group joins 4, leaves 2 (16).
  audit({ action: 'invite', object_type: 'user', ...about(NEWBIE) });
  audit({ action: 'invite', object_type: 'user', ...about(CAROL) });
  audit({ action: 'join', object_type: 'user', actor_uuid: NEWBIE.uuid, ...about(NEWBIE) });
  audit({ action: 'join', object_type: 'user', actor_uuid: CAROL.uuid, ...about(CAROL) });
  audit({ action: 'join', object_type: 'user', actor_uuid: BOB.uuid, ...about(BOB) });
  audit({ action: 'confirm', object_type: 'user', ...about(NEWBIE) });
  audit({ action: 'confirm', object_type: 'user', ...about(CAROL) });
  audit({ action: 'suspend', object_type: 'user', ...about(NEWBIE) });
  audit({ action: 'reactive', object_type: 'user', ...about(NEWBIE) });
  audit({ action: 'delete', object_type: 'user', ...about(BOB) });
  for (const u of [NEWBIE, CAROL, ALICE, BOB]) audit({ action: 'join', object_type: 'gm', object_uuid: GROUP, aux_uuid: u.uuid, aux_details: userRef(u), aux_info: 'M' });
  for (const u of [ALICE, BOB]) audit({ action: 'leave', object_type: 'gm', object_uuid: GROUP, aux_uuid: u.uuid, aux_details: userRef(u) });

  // Vault access: uva grant 3, uva revoke 1, gva grant 1, gva update 1 (6) in 2 vaults.
  audit({ action: 'grant', object_type: 'uva', object_uuid: VAULT_A, aux_id: 1048050, aux_uuid: ALICE.uuid, aux_details: userRef(ALICE) });
  audit({ action: 'grant', object_type: 'uva', object_uuid: VAULT_A, aux_id: 48, aux_uuid: BOB.uuid, aux_details: userRef(BOB) });
  audit({ action: 'grant', object_type: 'uva', object_uuid: VAULT_A, aux_id: 32, aux_uuid: CAROL.uuid, aux_details: userRef(CAROL) });
  audit({ action: 'revoke', object_type: 'uva', object_uuid: VAULT_A, aux_id: 32, aux_uuid: CAROL.uuid, aux_details: userRef(CAROL) });
  audit({ action: 'grant', object_type: 'gva', object_uuid: VAULT_B, aux_id: 34, aux_uuid: GROUP });
  audit({ action: 'update', object_type: 'gva', object_uuid: VAULT_B, aux_id: 4194338, aux_uuid: GROUP });

  // Other audit activity: 10 item shares.
  for (let i = 0; i < 10; i++) audit({ action: 'share', object_type: 'item' });
  // Unknown action and object type, alone on 2026-03-03 12:00: the audit stream's one gap > 24 h.
  out.push(makeAuditEvent(rng, 'v2', { action: 'frobnicate', object_type: 'widget', actor_uuid: ADMIN.uuid, timestamp: iso(T0 + 2.5 * DAY) }) as unknown as Line);
  return out;
}

function signInEvents(rng: SeededRandom): Line[] {
  const out: Line[] = [];
  const attempt = (ms: number, u: MockUser, overrides: Record<string, unknown>) =>
    out.push(makeSignInAttempt(rng, 'v2', { target_user: userRef(u), timestamp: iso(ms), ...overrides }) as unknown as Line);
  // 20 successes every 8 h from 00:30 on day 1: no gap in this stream.
  for (let k = 0; k < 20; k++) attempt(T0 + 30 * MIN + k * 8 * 60 * MIN, ADMIN, { category: 'success', type: 'credentials_ok', country: 'GB' });
  // ALICE: 6 failures within 30 min on day 2 (one burst), and one more 3 h later.
  for (let k = 0; k < 6; k++) attempt(T0 + DAY + 10 * 60 * MIN + k * 6 * MIN, ALICE, { category: 'credentials_failed', type: 'password_secret_bad', country: 'DE' });
  attempt(T0 + DAY + 13 * 60 * MIN, ALICE, { category: 'credentials_failed', type: 'password_secret_bad', country: 'DE' });
  // BOB: 4 MFA failures within 30 min: below the threshold.
  for (let k = 0; k < 4; k++) attempt(T0 + 2 * DAY + 9 * 60 * MIN + k * 10 * MIN, BOB, { category: 'mfa_failed', type: 'totp_bad', country: 'FR' });
  // CAROL: 3 firewall blocks (rule "RU"), 1 unknown category.
  for (let k = 0; k < 3; k++) attempt(T0 + 3 * DAY + k * 5 * 60 * MIN, CAROL, { category: 'firewall_failed', type: 'country_blocked', country: 'RU', details: { value: 'RU' } });
  attempt(T0 + 4 * DAY, CAROL, { category: 'quantum_failed', type: 'spooky', country: 'US', details: null });
  attempt(T0 + 4 * DAY + 60 * MIN, ADMIN, { category: 'firewall_reported_success', type: 'ip_blocked', country: 'GB', details: { value: '192.0.2.1' } });
  return out;
}

function itemUsageEvents(rng: SeededRandom): Line[] {
  const out: Line[] = [];
  const use = (ms: number, u: MockUser, vault: string, action: string) => out.push(makeItemUsage(rng, 'v2', { user: userRef(u), vault_uuid: vault, action, timestamp: iso(ms) }) as unknown as Line);
  for (let d = 0; d < 7; d++) {
    const day = T0 + d * DAY;
    use(day + 10 * 60 * MIN, ALICE, VAULT_A, 'fill');
    use(day + 10 * 60 * MIN + 5 * MIN, ALICE, VAULT_A, 'fill');
    for (let k = 0; k < 25; k++) use(day + 11 * 60 * MIN + k * MIN, BOB, VAULT_A, 'secure-copy');
  }
  // ALICE reveals 30 items in vault B on 2026-03-05: 32 uses that day vs. a median of 2.
  for (let k = 0; k < 30; k++) use(T0 + 4 * DAY + 14 * 60 * MIN + k * MIN, ALICE, VAULT_B, 'reveal');
  for (let k = 0; k < 3; k++) use(T0 + 2 * DAY + 15 * 60 * MIN + k * MIN, CAROL, VAULT_C, 'export');
  use(T0 + 2 * DAY + 16 * 60 * MIN, CAROL, VAULT_C, 'teleport');
  return out;
}

export function buildFixture(seed = 'report-fixture'): Fixture {
  const rng = createRng(seed);
  return { audit: auditEvents(rng.fork('audit')), signin: signInEvents(rng), itemusage: itemUsageEvents(rng) };
}

/**
 * Writes the fixture as Hel would: audit and item usage in the envelope format, sign-ins in the
 * raw format, with blank lines sprinkled in. Returns the file paths.
 */
export function writeFixture(dir: string, fixture: Fixture = buildFixture()): string[] {
  const envelope = (endpoint: string, event: Line) => JSON.stringify({ ts: '2026-03-08T00:00:00.000000000Z', source: `1password-${endpoint}`, endpoint: `/api/v2/${endpoint}`, event, meta: {} });
  const audit = join(dir, 'audit.ndjson');
  const signin = join(dir, 'signin.ndjson');
  const usage = join(dir, 'usage.ndjson');
  writeFileSync(audit, fixture.audit.map((e) => envelope('auditevents', e)).join('\n') + '\n\n');
  writeFileSync(signin, '\n' + fixture.signin.map((e) => JSON.stringify({ ...e, source: '1password-signinattempts' })).join('\n') + '\n');
  writeFileSync(usage, fixture.itemusage.map((e) => envelope('itemusages', e)).join('\n\n') + '\n');
  return [audit, signin, usage];
}
