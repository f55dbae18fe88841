import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recoverEvent } from '../../../../src/integrations/mapper-lookup.js';
import { endpointOf, mockDataset } from '../../../helpers/onepassword-dataset.js';
import { COLLECTED_AT, mapperOf } from './mapping-helpers.js';

const ctx = (endpoint: string) => ({ endpoint, collectedAt: COLLECTED_AT });

// The example events of the Events API reference (§12), as 1Password documents them.
const SIGN_IN = {
  uuid: 'HGIF4OEWXDTVWKEQDIWTKV26HU',
  session_uuid: 'UED4KFZ5BH37IQWTJ7LG4VPWK7',
  timestamp: '2026-03-02T14:28:03.118214Z',
  category: 'success',
  type: 'credentials_ok',
  country: 'AR',
  details: null,
  target_user: { uuid: 'OJQGU46KAPROEJLCK674RHSAY5', name: "Jack O'Neill", email: 'jack@example.com', user_type: 'user' },
  client: { app_name: '1Password for Mac', app_version: '81024019', platform_name: 'MacBookPro18,3', platform_version: '', os_name: 'MacOSX', os_version: '14.6.1', ip_address: '89.160.20.156' },
  location: { country: 'AR', region: 'Buenos Aires F.D.', city: 'Buenos Aires', latitude: -34.6037, longitude: -58.3816 },
  account_uuid: 'VZSYVT2LGHTBWBQGUJAIZVRABM',
};

const AUDIT = {
  uuid: '3UQOGUC7DVOCN4OZP2MDKHFLSG',
  timestamp: '2026-03-02T21:16:52.827288935Z',
  actor_uuid: 'GLF6WUEKS5CSNDJ2OG6TCZD3M4',
  actor_details: { uuid: 'GLF6WUEKS5CSNDJ2OG6TCZD3M4', name: 'Test Actor', email: 'test.actor@example.com' },
  action: 'grant',
  object_type: 'uva',
  object_uuid: 'jaqxqf5qylslqiitnduawrndc5',
  aux_id: 1048050,
  aux_uuid: 'OJQGU46KAPROEJLCK674RHSAY5',
  aux_details: { uuid: 'OJQGU46KAPROEJLCK674RHSAY5', name: "Jack O'Neill", email: 'jack@example.com' },
  session: { uuid: 'ODOHXUYQCJBUJKRGZNNPBJURPE', login_time: '2026-03-02T21:07:34.703106271Z', device_uuid: 'rqtd557fn2husnstp5nc66w2xa', ip: '198.51.100.4' },
  location: { country: 'CA', region: 'Ontario', city: 'Toronto', latitude: 43.64, longitude: -79.433 },
};

describe("ECS: the fields Elastic's 1Password integration writes", () => {
  it('sign-in attempts: authentication/info, outcome from the category, target user, host.os, source.ip with geo, related', () => {
    const out = mapperOf('ecs', 'signinattempts').map(SIGN_IN, ctx('/api/v2/signinattempts'));
    assert.deepEqual(out.event, {
      kind: 'event',
      category: ['authentication'],
      type: ['info'],
      action: 'success',
      outcome: 'success',
      created: COLLECTED_AT,
      dataset: '1password.signin_attempts',
      module: '1password',
    });
    assert.deepEqual(out.user, { id: 'OJQGU46KAPROEJLCK674RHSAY5', full_name: "Jack O'Neill", email: 'jack@example.com' });
    assert.deepEqual(out.host, { os: { name: 'MacOSX', version: '14.6.1' } });
    assert.deepEqual(out.source, { ip: '89.160.20.156', geo: { country_iso_code: 'AR', region_name: 'Buenos Aires F.D.', city_name: 'Buenos Aires', location: { lat: -34.6037, lon: -58.3816 } } });
    assert.deepEqual(out.related, { user: ['OJQGU46KAPROEJLCK674RHSAY5', 'jack@example.com', "Jack O'Neill"], ip: ['89.160.20.156'] });
    assert.equal(out['@timestamp'], SIGN_IN.timestamp);
    assert.deepEqual(out.ecs, { version: '8.11.0' });
    assert.deepEqual(out.data_stream, { type: 'logs', dataset: '1password.signin_attempts', namespace: 'default' });
    const op = out.onepassword as Record<string, unknown>;
    assert.deepEqual(op.client, { app_name: '1Password for Mac', app_version: '81024019', platform_name: 'MacBookPro18,3', platform_version: '' });
    assert.equal(op.type, 'credentials_ok');
    assert.equal(op.session_uuid, 'UED4KFZ5BH37IQWTJ7LG4VPWK7');
    assert.equal(op.country, 'AR');
    assert.equal(op.uuid, 'HGIF4OEWXDTVWKEQDIWTKV26HU');
  });

  it('a failed sign-in is outcome failure; a firewall report of success is success', () => {
    const m = mapperOf('ecs', 'signinattempts');
    for (const [category, outcome] of [
      ['credentials_failed', 'failure'],
      ['firewall_failed', 'failure'],
      ['firewall_reported_success', 'success'],
      ['mfa_failed', 'failure'],
    ]) {
      assert.equal((m.map({ ...SIGN_IN, category }, ctx('/api/v2/signinattempts')).event as Record<string, unknown>).outcome, outcome, category);
    }
  });

  it('an undocumented category is outcome unknown; a country that is not a two-letter code is country_name', () => {
    const out = mapperOf('ecs', 'signinattempts').map({ ...SIGN_IN, category: 'quantum_failed', location: { ...SIGN_IN.location, country: 'Argentina' } }, ctx('/api/v2/signinattempts'));
    assert.equal((out.event as Record<string, unknown>).outcome, 'unknown');
    assert.equal(((out.source as Record<string, unknown>).geo as Record<string, unknown>).country_name, 'Argentina');
  });

  it('audit events: configuration/access, actor as user, related users by object type, session IP as source', () => {
    const out = mapperOf('ecs', 'auditevents').map(AUDIT, ctx('/api/v1/auditevents'));
    assert.deepEqual((out.event as Record<string, unknown>).category, ['configuration']);
    assert.deepEqual((out.event as Record<string, unknown>).type, ['access']);
    assert.equal((out.event as Record<string, unknown>).action, 'grant');
    assert.deepEqual(out.user, { id: 'GLF6WUEKS5CSNDJ2OG6TCZD3M4', name: 'Test Actor', email: 'test.actor@example.com' });
    assert.deepEqual(out.related, { user: ['GLF6WUEKS5CSNDJ2OG6TCZD3M4', 'OJQGU46KAPROEJLCK674RHSAY5'], ip: ['198.51.100.4'] });
    assert.equal((out.source as Record<string, unknown>).ip, '198.51.100.4');
    const op = out.onepassword as Record<string, unknown>;
    assert.equal(op.object_type, 'uva');
    assert.equal(op.aux_id, 1048050);
    assert.deepEqual(op.session, { uuid: 'ODOHXUYQCJBUJKRGZNNPBJURPE', login_time: '2026-03-02T21:07:34.703106271Z', device_uuid: 'rqtd557fn2husnstp5nc66w2xa' });
  });

  it('item usages: file/access, the user, host.os, vault and item under onepassword', () => {
    const [d] = mockDataset({ perPair: 1, backlog: 0 }).filter((x) => x.stream === 'itemusages' && x.version === 'v2');
    const out = mapperOf('ecs', 'itemusages').map(d!.event, ctx('/api/v2/itemusages'));
    assert.deepEqual((out.event as Record<string, unknown>).category, ['file']);
    assert.deepEqual((out.event as Record<string, unknown>).type, ['access']);
    const op = out.onepassword as Record<string, unknown>;
    assert.equal(op.item_uuid, d!.event.item_uuid);
    assert.equal(op.vault_uuid, d!.event.vault_uuid);
    assert.equal(op.used_version, d!.event.used_version);
    assert.ok((out.host as { os: unknown }).os);
  });

  it('event.original only on request (global.output.raw_data)', () => {
    assert.equal((mapperOf('ecs', 'auditevents', 'v2', true).map(AUDIT, ctx('/api/v2/auditevents')).event as Record<string, unknown>).original, JSON.stringify(AUDIT));
    assert.equal((mapperOf('ecs', 'auditevents').map(AUDIT, ctx('/api/v2/auditevents')).event as Record<string, unknown>).original, undefined);
  });

  it('loses nothing: every mock event comes back from its ECS line unchanged', () => {
    for (const d of mockDataset({ perPair: 2, backlog: 100 })) {
      const out = mapperOf('ecs', d.stream, d.version).map(d.event, ctx(endpointOf(d.stream, d.version)));
      const back = recoverEvent(JSON.parse(JSON.stringify(out)) as Record<string, unknown>);
      assert.equal(back?.format, 'ecs');
      assert.deepEqual(back?.event, d.event, `${d.version} ${d.label}`);
    }
  });
});
