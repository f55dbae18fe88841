/**
 * docs/ocsf-ecs.md's mapping tables are generated from the mapping code (src/integrations/
 * onepassword/ocsf/rules.ts and the ECS constants), never written by hand. This test renders them
 * and compares; HEL_UPDATE_DOCS=1 (npm run docs:mappings) rewrites the generated part of the page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ACTIVITY_OTHER, OCSF_CLASSES, type OcsfClass } from '../../../src/pipeline/ocsf.js';
import {
  AUDIT_RULES,
  DEFAULT_AUDIT_CLASS,
  DOCUMENTED_AUDIT_ACTIONS,
  DOCUMENTED_OBJECT_TYPES,
  ITEM_USAGE_ACTIVITIES,
  OBJECT_TYPE_CLASSES,
  SIGN_IN_OUTCOMES,
  UNKNOWN_ACTION,
  auditActivity,
  itemUsageActivity,
} from '../../../src/integrations/onepassword/ocsf/rules.js';
import { ECS_DATASETS, ECS_VERSION } from '../../../src/integrations/onepassword/ecs/map.js';

const PAGE = fileURLToPath(new URL('../../../../docs/ocsf-ecs.md', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED: mapping tables (test/e2e/docs/ocsf-ecs-table.test.ts; npm run docs:mappings) -->';
const END = '<!-- END GENERATED -->';

const cls = (c: OcsfClass) => `${c.uid} ${c.caption}`;
const act = (c: OcsfClass, id: number) => `${id} ${id === ACTIVITY_OTHER ? 'Other' : c.activities[id]}`;
const code = (s: string) => `\`${s}\``;

function renderTables(): string {
  const out: string[] = [];
  out.push('### Audit events: object type → class', '', '| 1Password `object_type` | OCSF class | what carries the object |', '|---|---|---|');
  for (const r of OBJECT_TYPE_CLASSES) out.push(`| ${r.objectTypes.map(code).join(', ')} | ${cls(r.cls)} | ${r.note} |`);
  const others = DOCUMENTED_OBJECT_TYPES.filter((t) => !OBJECT_TYPE_CLASSES.some((r) => r.objectTypes.includes(t)));
  out.push(
    `| ${others.map(code).join(', ')}, and any other | ${cls(DEFAULT_AUDIT_CLASS)} | \`entity\`: uid = object_uuid, type_id from the object type (device 1, user 2, group 3, account 4 Organization, else 99 with \`type\` = the object type) |`,
    '',
  );

  out.push('### Audit events: action → activity', '');
  out.push(
    `Every documented action (Events API 1.4.1). Every pair not listed takes 99 Other in its object type's class (first table), with \`activity_name\` = the action; \`${UNKNOWN_ACTION}\` takes 0 Unknown. An action not in this list (the mock's \`invite\` and \`confirm\` on users, or one 1Password adds later) takes 99 Other the same way.`,
    '',
  );
  out.push('| `action` | object types → OCSF class / activity (all other object types: 99 Other) |', '|---|---|');
  const classOrder = [OCSF_CLASSES.accountChange, OCSF_CLASSES.groupManagement, OCSF_CLASSES.userAccess, OCSF_CLASSES.entityManagement];
  for (const action of DOCUMENTED_AUDIT_ACTIONS) {
    const parts: string[] = [];
    for (const r of AUDIT_RULES.filter((x) => x.action === action && x.objectTypes)) {
      const a = auditActivity(action, r.objectTypes![0]);
      parts.push(`${r.objectTypes!.map(code).join(', ')} → **${cls(a.cls)} / ${act(a.cls, a.activity)}**`);
    }
    const overridden = new Set(AUDIT_RULES.filter((x) => x.action === action && x.objectTypes).flatMap((x) => x.objectTypes!));
    for (const c of classOrder) {
      const types = OBJECT_TYPE_CLASSES.filter((r) => r.cls === c)
        .flatMap((r) => r.objectTypes)
        .filter((t) => !overridden.has(t));
      if (c !== DEFAULT_AUDIT_CLASS && types.length === 0) continue;
      const a = auditActivity(action, types[0] ?? 'vault');
      if (a.activity === ACTIVITY_OTHER) continue;
      const label = c === DEFAULT_AUDIT_CLASS ? 'any other object type' : types.map(code).join(', ');
      parts.push(`${label} → **${cls(a.cls)} / ${act(a.cls, a.activity)}**`);
    }
    if (parts.length === 0) parts.push(action === UNKNOWN_ACTION ? '0 Unknown in every class' : '99 Other in every class');
    out.push(`| ${code(action)} | ${parts.join('; ')} |`);
  }
  out.push('');

  const api = OCSF_CLASSES.apiActivity;
  out.push('### Item usage: action → 6003 API Activity', '', '`api.operation` and `metadata.event_code` carry the action.', '', '| `action` | activity |', '|---|---|');
  for (const action of Object.keys(ITEM_USAGE_ACTIVITIES)) out.push(`| ${code(action)} | ${act(api, itemUsageActivity(action))} |`);
  for (const action of ['enter-item-edit-mode', 'select-sso-provider', 'share']) out.push(`| ${code(action)} | ${act(api, itemUsageActivity(action))} (\`activity_name\` = the action) |`);
  out.push('| any other | 99 Other (`activity_name` = the action) |', '');

  out.push('### Sign-in attempts: category → 3002 Authentication, 1 Logon', '', '`status_code` = the category, `status_detail` = the type.', '', '| `category` | `status_id` |', '|---|---|');
  for (const [category, outcome] of Object.entries(SIGN_IN_OUTCOMES)) out.push(`| ${code(category)} | ${outcome === 'success' ? '1 Success' : '2 Failure'} |`);
  out.push('| any other | 99 Other (`status` = the category) |', '');

  out.push(`### ECS: data sets (ECS ${ECS_VERSION})`, '', '| stream | `event.dataset` / `data_stream.dataset` |', '|---|---|');
  for (const [stream, dataset] of Object.entries(ECS_DATASETS)) out.push(`| ${code(stream)} | ${code(dataset)} |`);
  return out.join('\n');
}

void test('docs/ocsf-ecs.md carries the mapping tables exactly as the code defines them', () => {
  const page = readFileSync(PAGE, 'utf8');
  const start = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  assert.ok(start >= 0 && end > start, `${PAGE} lacks the generated-section markers`);
  const fresh = `${page.slice(0, start + BEGIN.length)}\n\n${renderTables()}\n\n${page.slice(end)}`;
  if (process.env.HEL_UPDATE_DOCS === '1') writeFileSync(PAGE, fresh);
  assert.equal(readFileSync(PAGE, 'utf8'), fresh, 'the mapping tables in docs/ocsf-ecs.md are stale: run npm run docs:mappings');
});
