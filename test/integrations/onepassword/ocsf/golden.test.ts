/**
 * Golden files: OCSF per class and for unknown values, ECS per stream. Each file holds the
 * 1Password events (from the mock's seeded factories) and what Hel writes for them. After an
 * intended change, regenerate with HEL_UPDATE_GOLDEN=1 and review the diff.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRng, makeAuditEvent, makeItemUsage, makeSignInAttempt, type ApiVersion, type Stream } from '../../../../src/integrations/onepassword/mock/items.js';
import type { MappedFormat } from '../../../../src/pipeline/mappings.js';
import { validateOcsf } from '../../../helpers/ocsf-validator.js';
import { endpointOf } from '../../../helpers/onepassword-dataset.js';
import { COLLECTED_AT, mapperOf } from './mapping-helpers.js';

const GOLDEN = fileURLToPath(new URL('../../../../../test/fixtures/golden/', import.meta.url));

interface Case {
  stream: Stream;
  version: ApiVersion;
  event: object;
}

const rng = () => createRng('golden');

const audit = (version: ApiVersion, action: string, objectType: string, extra: Record<string, unknown> = {}): Case => ({
  stream: 'auditevents',
  version,
  event: makeAuditEvent(rng(), version, { action, object_type: objectType, ...extra }),
});
const signIn = (version: ApiVersion, category: string, type: string): Case => ({ stream: 'signinattempts', version, event: makeSignInAttempt(rng(), version, { category, type }) });
const usage = (version: ApiVersion, action: string): Case => ({ stream: 'itemusages', version, event: makeItemUsage(rng(), version, { action }) });

const OCSF_GOLDEN: Record<string, Case[]> = {
  '3001-account-change': [audit('v2', 'suspend', 'user'), audit('v2', 'create', 'sa'), audit('v1', 'changemp', 'user'), audit('v2', 'enblmfa', 'user'), audit('v2', 'invite', 'user')],
  '3002-authentication': [
    signIn('v2', 'success', 'credentials_ok'),
    signIn('v2', 'firewall_failed', 'continent_blocked'),
    signIn('v1', 'mfa_failed', 'totp_bad'),
    signIn('v2', 'firewall_reported_success', 'ip_blocked'),
  ],
  '3004-entity-management': [audit('v2', 'create', 'vault'), audit('v2', 'delete', 'device'), audit('v2', 'dealldev', 'user'), audit('v1', 'updatfw', 'account'), audit('v2', 'share', 'item')],
  '3005-user-access-management': [audit('v2', 'grant', 'uva'), audit('v1', 'revoke', 'uva')],
  '3006-group-management': [audit('v2', 'join', 'gm'), audit('v2', 'grant', 'gva'), audit('v2', 'create', 'group'), audit('v1', 'role', 'gm')],
  '6003-api-activity': [usage('v2', 'fill'), usage('v2', 'server-create'), usage('v1', 'other'), usage('v2', 'share')],
  'unknown-values': [audit('v2', 'unknown', 'user'), audit('v2', 'frobnicate', 'user'), audit('v2', 'frobnicate', 'widget'), usage('v2', 'teleport'), signIn('v2', 'quantum_failed', 'qubit_bad')],
};

const ECS_GOLDEN: Record<string, Case[]> = {
  'audit-events': [audit('v2', 'suspend', 'user'), audit('v2', 'join', 'gm'), audit('v1', 'grant', 'uva'), audit('v2', 'delete', 'device')],
  'signin-attempts': [signIn('v2', 'success', 'credentials_ok'), signIn('v2', 'firewall_failed', 'country_blocked'), signIn('v1', 'credentials_failed', 'password_secret_bad')],
  'item-usages': [usage('v2', 'reveal'), usage('v1', 'secure-copy'), usage('v2', 'server-update')],
};

interface GoldenEntry {
  input: { stream: Stream; endpoint: string; event: Record<string, unknown> };
  output: Record<string, unknown>;
}

const mapCase = (format: MappedFormat, input: GoldenEntry['input']) => {
  const version = /\/api\/(v1|v2)\//.exec(input.endpoint)?.[1] as ApiVersion;
  return mapperOf(format, input.stream, version).map(input.event, { endpoint: input.endpoint, collectedAt: COLLECTED_AT });
};

/**
 * The inputs are frozen in the file (made by the factories when the file was written), so a change
 * to the mock's generator does not move the golden outputs; only a change of the mapping does.
 */
function golden(format: MappedFormat, name: string, cases: Case[]): GoldenEntry[] {
  const path = `${GOLDEN}${format}/${name}.json`;
  if (process.env.HEL_UPDATE_GOLDEN === '1') {
    const entries = cases.map((c) => {
      const input = { stream: c.stream, endpoint: endpointOf(c.stream, c.version), event: c.event as Record<string, unknown> };
      return { input, output: mapCase(format, input) };
    });
    mkdirSync(`${GOLDEN}${format}`, { recursive: true });
    writeFileSync(path, `${JSON.stringify(entries, null, 2)}\n`);
  }
  const entries = JSON.parse(readFileSync(path, 'utf8')) as GoldenEntry[];
  assert.equal(entries.length, cases.length, `${path} has ${entries.length} entries, the test lists ${cases.length}; rerun with HEL_UPDATE_GOLDEN=1`);
  for (const e of entries) assert.deepEqual(mapCase(format, e.input), e.output, `${path}: if intended, rerun with HEL_UPDATE_GOLDEN=1 and review the diff`);
  return entries;
}

describe('OCSF golden files, per class and for unknown values', () => {
  for (const [name, cases] of Object.entries(OCSF_GOLDEN)) {
    it(name, () => {
      for (const e of golden('ocsf', name, cases)) {
        assert.deepEqual(validateOcsf(e.output).errors, [], name);
        if (name !== 'unknown-values') assert.equal(String(e.output.class_uid), name.slice(0, 4));
      }
    });
  }

  it('unknown values take the documented fallback', () => {
    const entries = JSON.parse(readFileSync(`${GOLDEN}ocsf/unknown-values.json`, 'utf8')) as GoldenEntry[];
    const out = entries.map((e) => mapCase('ocsf', e.input));
    const pick = (o: Record<string, unknown>) => [o.class_uid, o.activity_id, o.activity_name, o.type_name, o.status_id, o.status];
    assert.deepEqual(out.map(pick), [
      [3001, 0, 'Unknown', 'Account Change: Unknown', 1, 'Success'],
      [3001, 99, 'frobnicate', 'Account Change: Other', 1, 'Success'],
      [3004, 99, 'frobnicate', 'Entity Management: Other', 1, 'Success'],
      [6003, 99, 'teleport', 'API Activity: Other', 1, 'Success'],
      [3002, 1, 'Logon', 'Authentication: Logon', 99, 'quantum_failed'],
    ]);
    assert.deepEqual(out[2]!.entity, { uid: entries[2]!.input.event.object_uuid, type_id: 99, type: 'widget' });
  });
});

describe('ECS golden files, one per stream', () => {
  for (const [name, cases] of Object.entries(ECS_GOLDEN)) it(name, () => void golden('ecs', name, cases));
});

describe('OCSF: events missing what a class requires still validate', () => {
  it('an item usage without user, client or action gets placeholders; an unreadable time gets the collection time', () => {
    const mapper = mapperOf('ocsf', 'itemusages');
    const out = mapper.map({ uuid: 'X', timestamp: 'yesterday-ish', item_uuid: 'i', vault_uuid: 'v' }, { endpoint: '/api/v2/itemusages', collectedAt: COLLECTED_AT });
    assert.deepEqual(validateOcsf(out).errors, []);
    assert.deepEqual(out.actor, { user: { uid: 'unknown' } });
    assert.deepEqual(out.src_endpoint, { name: 'unknown' });
    assert.deepEqual(out.api, { operation: 'unknown' });
    assert.equal(out.time, Date.parse(COLLECTED_AT));
    assert.equal((out.metadata as Record<string, unknown>).original_time, 'yesterday-ish');
  });

  it('a vault grant without its user or bits, and a sign-in without a user, validate', () => {
    const grant = mapperOf('ocsf', 'auditevents').map(
      { uuid: 'G', timestamp: '2026-03-02T12:00:00Z', action: 'grant', object_type: 'uva', object_uuid: 'v1' },
      { endpoint: '/api/v2/auditevents', collectedAt: COLLECTED_AT },
    );
    assert.deepEqual(validateOcsf(grant).errors, []);
    assert.deepEqual([grant.user, grant.privileges], [{ uid: 'unknown' }, []]);
    const signIn = mapperOf('ocsf', 'signinattempts').map({ uuid: 'S', timestamp: '2026-03-02T12:00:00Z', category: 'success' }, { endpoint: '/api/v2/signinattempts', collectedAt: COLLECTED_AT });
    assert.deepEqual(validateOcsf(signIn).errors, []);
  });

  it('a location without a place, or a client without an IP, stays in unmapped', () => {
    const out = mapperOf('ocsf', 'signinattempts').map(
      { uuid: 'S', timestamp: '2026-03-02T12:00:00Z', category: 'success', client: { os_name: 'Windows' }, location: { latitude: 1, longitude: 2 } },
      { endpoint: '/api/v2/signinattempts', collectedAt: COLLECTED_AT },
    );
    assert.deepEqual(validateOcsf(out).errors, []);
    assert.equal(out.src_endpoint, undefined);
    assert.deepEqual(out.unmapped, { client: { os_name: 'Windows' }, location: { latitude: 1, longitude: 2 } });
  });
});
