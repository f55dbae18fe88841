import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnePasswordMock } from '../../../../src/integrations/onepassword/mock/server.js';
import { SIGN_IN_TYPES, createRng, formatRfc3339Nano, makeAuditEvent, makeItemUsage, makeSignInAttempt, parseRfc3339, toApiVersion } from '../../../../src/integrations/onepassword/mock/items.js';
import { drain, manualClock } from './http.js';

const UPPER_ID = /^[A-Z2-7]{26}$/;
const LOWER_ID = /^[a-z2-7]{26}$/;
/** Go's RFC3339Nano in UTC: no trailing zeros in the fraction, no bare dot. */
const GO_NANO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])?Z$/;
const OLD_START = { start_time: '2020-01-01T00:00:00Z', limit: 1000 };
const V2_AUDIT_ONLY = ['actor_type', 'actor_account_uuid', 'account_uuid'];

void test('v2 audit events carry the MSP fields; v1 serves the same events without them', async (t) => {
  const mock = await startOnePasswordMock({ seed: 'shapes', events: 150 });
  t.after(() => mock.close());
  const v2 = (await drain(mock, '/api/v2/auditevents', OLD_START)).items;
  const v1 = (await drain(mock, '/api/v1/auditevents', OLD_START)).items;
  assert.deepEqual(
    v1.map((i) => i.uuid),
    v2.map((i) => i.uuid),
  );
  for (const [index, item] of v2.entries()) {
    for (const key of V2_AUDIT_ONLY) assert.ok(key in item, key);
    assert.ok(['user', 'external_user'].includes(item.actor_type as string));
    const old = v1[index] ?? {};
    for (const key of V2_AUDIT_ONLY) assert.ok(!(key in old), key);
    for (const key of ['actor_details', 'object_details', 'aux_details']) {
      const details = old[key] as Record<string, unknown> | undefined;
      if (details) assert.deepEqual(Object.keys(details).sort(), ['email', 'name', 'uuid']);
    }
    assert.match(item.uuid as string, UPPER_ID);
    assert.match(item.actor_uuid as string, UPPER_ID);
    assert.match(item.timestamp as string, GO_NANO);
    const session = item.session as Record<string, string>;
    assert.match(session.device_uuid ?? '', LOWER_ID);
    assert.match(session.login_time ?? '', GO_NANO);
    assert.ok(!('aux_id' in item) || typeof item.aux_id === 'number');
    for (const [key, value] of Object.entries(item)) assert.notEqual(value, null, `${key} is omitted rather than null`);
  }
  assert.ok(v2.some((i) => !('location' in i)) && v2.some((i) => 'location' in i), 'location is sometimes absent');
  const pairs = new Set(v2.map((i) => `${String(i.action)}/${String(i.object_type)}`));
  assert.ok(pairs.size >= 10, `a realistic mix of actions, got ${[...pairs].join(' ')}`);
  const grant = v2.find((i) => i.action === 'grant' && i.object_type === 'uva');
  assert.ok(grant && typeof grant.aux_id === 'number' && grant.aux_details, 'vault grants carry permission bits and the grantee');
  assert.match(String(grant.object_uuid), LOWER_ID);
});

void test('item usages and sign-in attempts: v2 adds account_uuid and user_type; details is null unless a firewall rule fired', async (t) => {
  const mock = await startOnePasswordMock({ seed: 'shapes', events: 300 });
  t.after(() => mock.close());
  const usages = (await drain(mock, '/api/v2/itemusages', OLD_START)).items;
  const usagesV1 = (await drain(mock, '/api/v1/itemusages', OLD_START)).items;
  for (const [index, usage] of usages.entries()) {
    assert.equal(typeof usage.account_uuid, 'string');
    assert.ok(['user', 'external_user'].includes((usage.user as Record<string, string>).user_type ?? ''));
    assert.match(usage.vault_uuid as string, LOWER_ID);
    assert.match(usage.item_uuid as string, LOWER_ID);
    assert.equal(typeof usage.used_version, 'number');
    assert.equal(typeof (usage.client as Record<string, string>).ip_address, 'string');
    const old = usagesV1[index] ?? {};
    assert.ok(!('account_uuid' in old));
    assert.ok(!('user_type' in (old.user as object)));
  }
  assert.ok(new Set(usages.map((u) => u.action)).size >= 8);

  const attempts = (await drain(mock, '/api/v2/signinattempts', OLD_START)).items;
  const attemptsV1 = (await drain(mock, '/api/v1/signinattempts', OLD_START)).items;
  for (const [index, attempt] of attempts.entries()) {
    const category = attempt.category as string;
    assert.ok(SIGN_IN_TYPES[category]?.includes(attempt.type as string), `${category}/${String(attempt.type)}`);
    if (category.startsWith('firewall')) assert.equal(typeof (attempt.details as { value?: unknown }).value, 'string');
    else assert.equal(attempt.details, null);
    assert.match(attempt.session_uuid as string, UPPER_ID);
    assert.equal(typeof attempt.account_uuid, 'string');
    assert.equal((attempt.target_user as Record<string, string>).user_type !== undefined, true);
    const old = attemptsV1[index] ?? {};
    assert.ok(!('account_uuid' in old) && !('user_type' in (old.target_user as object)));
  }
  assert.ok(attempts.some((a) => a.category !== 'success'));
});

void test('the same seed and clock give the same data; another seed does not', async (t) => {
  const clock = manualClock();
  const [a, b, c] = await Promise.all([
    startOnePasswordMock({ seed: 42, now: clock.now, events: 50 }),
    startOnePasswordMock({ seed: 42, now: clock.now, events: 50 }),
    startOnePasswordMock({ seed: 43, now: clock.now, events: 50 }),
  ]);
  t.after(() => Promise.all([a.close(), b.close(), c.close()]));
  for (const stream of ['auditevents', 'signinattempts', 'itemusages']) {
    const [fromA, fromB, fromC] = await Promise.all([a, b, c].map(async (mock) => (await drain(mock, `/api/v2/${stream}`, OLD_START)).items));
    assert.deepEqual(fromA, fromB, stream);
    assert.notDeepEqual(fromA, fromC, stream);
  }
  // Same seed: same signing key, so tokens and cursors survive a restart.
  const page = (await drain(a, '/api/v2/auditevents', { ...OLD_START, limit: 10 })).pages[0];
  const res = await fetch(`${b.url}/api/v2/auditevents`, { method: 'POST', headers: { authorization: `Bearer ${a.token}` }, body: JSON.stringify({ cursor: page?.cursor }) });
  assert.equal(res.status, 200);
});

void test('factories: overrides pick a matching template, so fixtures have known counts', () => {
  const rng = createRng('fixture');
  const suspensions = [1, 2, 3].map(() => makeAuditEvent(rng, 'v2', { action: 'suspend' }));
  for (const event of suspensions) {
    assert.equal(event.object_type, 'user');
    assert.equal(event.object_details?.uuid, event.object_uuid);
    assert.equal(event.account_uuid, event.actor_type === undefined ? undefined : event.account_uuid);
  }
  const join = makeAuditEvent(rng, 'v1', { action: 'join', object_type: 'gm' });
  assert.ok(join.aux_uuid && join.aux_details && join.aux_info);
  assert.ok(!('actor_type' in join) && !('account_uuid' in join));
  const pinned = makeAuditEvent(rng, 'v2', { action: 'custom', object_type: 'report', location: undefined, timestamp: '2026-01-01T00:00:00Z' });
  assert.deepEqual([pinned.action, pinned.object_type, pinned.timestamp, 'location' in pinned], ['custom', 'report', '2026-01-01T00:00:00Z', false]);

  const blocked = makeSignInAttempt(rng, 'v2', { type: 'continent_blocked' });
  assert.ok(blocked.category.startsWith('firewall'));
  assert.equal(typeof blocked.details?.value, 'string');
  const failed = makeSignInAttempt(rng, 'v1', { category: 'mfa_failed' });
  assert.ok(SIGN_IN_TYPES.mfa_failed?.includes(failed.type));
  assert.equal(failed.details, null);
  assert.ok(
    Array.from({ length: 200 }, () => makeSignInAttempt(rng, 'v1').type).every((type) => type !== 'federated'),
    'federated is v2 only',
  );

  const usage = makeItemUsage(rng, 'v2', { action: 'export' }, { at: Date.UTC(2026, 0, 5) });
  assert.equal(usage.action, 'export');
  assert.ok(usage.timestamp.startsWith('2026-01-05T00:00:0'));
  assert.deepEqual(toApiVersion(usage, 'v1').account_uuid, undefined);

  const again = createRng('fixture');
  assert.deepEqual(makeAuditEvent(again, 'v2', { action: 'suspend' }), suspensions[0]);
});

void test('RFC 3339 parsing keeps nanoseconds and offsets; formatting trims like Go', () => {
  assert.equal(parseRfc3339('2024-12-02T11:54:21.24645983Z'), 1733140461246459830n);
  assert.equal(parseRfc3339('2021-06-11T16:32:50-03:00'), parseRfc3339('2021-06-11T19:32:50Z'));
  assert.equal(formatRfc3339Nano(1733140461246459830n), '2024-12-02T11:54:21.24645983Z');
  assert.equal(formatRfc3339Nano(1733140461000000000n), '2024-12-02T11:54:21Z');
  assert.equal(formatRfc3339Nano(1733140461500000000n), '2024-12-02T11:54:21.5Z');
  for (const bad of ['2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '2024-12-02T11:54:21', '2024-12-02T11:54:21.1234567890Z', '2024-12-02']) {
    assert.equal(parseRfc3339(bad), undefined, bad);
  }
});
