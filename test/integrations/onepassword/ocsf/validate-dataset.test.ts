import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateOcsf, type Finding } from '../../../helpers/ocsf-validator.js';
import { endpointOf, mockDataset } from '../../../helpers/onepassword-dataset.js';
import { recoverEvent } from '../../../../src/integrations/mapper-lookup.js';
import { COLLECTED_AT, mapperOf } from './mapping-helpers.js';

const dataset = mockDataset();

describe('OCSF 1.8.0: the whole mock data set validates against the schema extract', () => {
  it('covers every action, pairing and stream the mock emits, in v1 and v2', () => {
    const streams = new Set(dataset.map((d) => d.stream));
    assert.deepEqual([...streams].sort(), ['auditevents', 'itemusages', 'signinattempts']);
    assert.ok(dataset.length > 1500, `${dataset.length} events`);
  });

  it('maps every event with 0 errors (required, types, enums, captions, type_uid, profiles, constraints)', () => {
    const errors: string[] = [];
    const warnings = new Map<string, number>();
    const classes = new Map<number, number>();
    for (const d of dataset) {
      const ocsf = mapperOf('ocsf', d.stream, d.version).map(d.event, { endpoint: endpointOf(d.stream, d.version), collectedAt: COLLECTED_AT });
      classes.set(ocsf.class_uid as number, (classes.get(ocsf.class_uid as number) ?? 0) + 1);
      const result = validateOcsf(ocsf);
      for (const e of result.errors) errors.push(`${d.version} ${d.label}: ${e.path} ${e.rule}: ${e.message}`);
      for (const w of result.warnings) warnings.set(`${w.rule} ${w.path}`, (warnings.get(`${w.rule} ${w.path}`) ?? 0) + 1);
    }
    assert.deepEqual(errors.slice(0, 20), []);
    assert.deepEqual([...classes.keys()].sort(), [3001, 3002, 3004, 3005, 3006, 6003]);
    // Beyond the floor: no caption, regex or deprecation warning either; only recommended
    // attributes 1Password has no data for may be missing.
    const notRecommended = [...warnings.keys()].filter((k) => !k.startsWith('recommended '));
    assert.deepEqual(notRecommended, []);
  });

  it('loses nothing: every event comes back from its OCSF line equal to what the API sent', () => {
    for (const d of dataset) {
      const ocsf = mapperOf('ocsf', d.stream, d.version).map(d.event, { endpoint: endpointOf(d.stream, d.version), collectedAt: COLLECTED_AT });
      const back = recoverEvent(JSON.parse(JSON.stringify(ocsf)) as Record<string, unknown>);
      assert.equal(back?.format, 'ocsf');
      assert.equal(back?.stream, d.stream);
      assert.deepEqual(back?.event, d.event, `${d.version} ${d.label}`);
    }
  });

  it('keeps the raw event in raw_data on request', () => {
    const d = dataset[0]!;
    const ocsf = mapperOf('ocsf', d.stream, d.version, true).map(d.event, { endpoint: endpointOf(d.stream, d.version), collectedAt: COLLECTED_AT });
    assert.equal(ocsf.raw_data, JSON.stringify(d.event));
    assert.deepEqual(validateOcsf(ocsf).errors, []);
    const without = mapperOf('ocsf', d.stream, d.version).map(d.event, { endpoint: endpointOf(d.stream, d.version), collectedAt: COLLECTED_AT });
    assert.equal(without.raw_data, undefined);
  });
});

describe('the OCSF validator catches broken events', () => {
  const good = () => mapperOf('ocsf', 'auditevents').map(dataset.find((d) => d.label === 'user/suspend' && d.version === 'v2')!.event, { endpoint: '/api/v2/auditevents', collectedAt: COLLECTED_AT });
  const rules = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.path}`);

  it('accepts the good event', () => assert.deepEqual(validateOcsf(good()).errors, []));

  const cases: [string, (e: Record<string, unknown>) => void, string][] = [
    ['a missing required attribute', (e) => delete e.user, 'required user'],
    ['a null required attribute', (e) => (e.time = null), 'required time'],
    ['a wrong type_uid', (e) => (e.type_uid = 300100), 'type_uid type_uid'],
    ['an enum value outside the enum', (e) => (e.severity_id = 7), 'enum severity_id'],
    ['a string time', (e) => (e.time = '2026-03-02T12:00:00Z'), 'type time'],
    ['a float where an integer is due', (e) => (e.activity_id = 5.5), 'type activity_id'],
    ['an unknown top-level key', (e) => (e.source = 'op'), 'attribute_unknown source'],
    ['an unknown nested key', (e) => ((e.user as Record<string, unknown>).name_of = 'x'), 'attribute_unknown user.name_of'],
    ['a profile attribute without its profile', (e) => delete (e.metadata as Record<string, unknown>).profiles, 'attribute_unknown device'],
    ['a broken object constraint', (e) => (e.user = { email_addr: 'a@example.com' }), 'constraint user'],
    ['a scalar where an array is due', (e) => ((e.metadata as Record<string, unknown>).tags = { name: 'x' }), 'type metadata.tags'],
    ['a newer schema version', (e) => ((e.metadata as Record<string, unknown>).version = '1.9.0'), 'version metadata.version'],
  ];
  for (const [what, breakIt, expected] of cases) {
    it(`rejects ${what}`, () => {
      const e = good();
      breakIt(e);
      assert.ok(rules(validateOcsf(e).errors).includes(expected), `${expected} in ${JSON.stringify(rules(validateOcsf(e).errors))}`);
    });
  }

  it('warns on a caption that is not the schema caption', () => {
    const e = good();
    e.activity_name = 'disable';
    assert.deepEqual(validateOcsf(e).errors, []);
    assert.ok(rules(validateOcsf(e).warnings).includes('sibling activity_id'));
  });

  it('rejects a class outside the extract', () => {
    assert.deepEqual(rules(validateOcsf({ class_uid: 4001 }).errors), ['class_unknown class_uid']);
  });
});

describe('OCSF: every documented audit action on every documented object type validates', () => {
  it('79 actions x 30 object types, 0 errors', async () => {
    const { DOCUMENTED_AUDIT_ACTIONS, DOCUMENTED_OBJECT_TYPES } = await import('../../../../src/integrations/onepassword/ocsf/rules.js');
    const { createRng, makeAuditEvent } = await import('../../../../src/integrations/onepassword/mock/items.js');
    assert.equal(DOCUMENTED_AUDIT_ACTIONS.length, 79);
    assert.equal(DOCUMENTED_OBJECT_TYPES.length, 30);
    const rng = createRng('every-pair');
    const mapper = mapperOf('ocsf', 'auditevents');
    const errors: string[] = [];
    for (const action of DOCUMENTED_AUDIT_ACTIONS) {
      for (const objectType of DOCUMENTED_OBJECT_TYPES) {
        const event = { ...makeAuditEvent(rng, 'v2'), action, object_type: objectType };
        const ocsf = mapper.map(event, { endpoint: '/api/v2/auditevents', collectedAt: COLLECTED_AT });
        for (const e of validateOcsf(ocsf).errors) errors.push(`${objectType}/${action}: ${e.path} ${e.rule}`);
        assert.deepEqual(recoverEvent(ocsf)?.event, event);
      }
    }
    assert.deepEqual(errors.slice(0, 10), []);
  });
});

describe("Hel's OCSF class table is the schema's", () => {
  it('class, category and every activity caption match the extract', async () => {
    const { OCSF_CLASS_LIST } = await import('../../../../src/pipeline/ocsf.js');
    const { loadOcsfSchema } = await import('../../../helpers/ocsf-validator.js');
    const schema = loadOcsfSchema() as unknown as {
      classes: Record<string, { caption: string; category_uid: number; category_name: string; attributes: { activity_id: { enum: Record<string, string> } } }>;
    };
    for (const cls of OCSF_CLASS_LIST) {
      const def = schema.classes[String(cls.uid)]!;
      assert.equal(cls.caption, def.caption);
      assert.deepEqual([cls.categoryUid, cls.categoryCaption], [def.category_uid, def.category_name]);
      assert.deepEqual(Object.fromEntries(Object.entries(cls.activities).map(([k, v]) => [k, v])), def.attributes.activity_id.enum, `${cls.uid} activities`);
    }
  });
});
