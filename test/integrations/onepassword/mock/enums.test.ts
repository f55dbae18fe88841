import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, makeAuditEvent, makeItemUsage, makeSignInAttempt } from '../../../../src/integrations/onepassword/mock/items.js';
import { KNOWN_AUDIT_ACTIONS, KNOWN_AUDIT_OBJECT_TYPES, KNOWN_ITEM_USAGE_ACTIONS, KNOWN_SIGNIN_CATEGORIES, KNOWN_SIGNIN_TYPES } from '../../../../src/report/analyze/enums.js';

// Issue 18 item 2: every enum value the mock emits is one the current 1Password docs (Events API
// 1.4.1, reference §11.5-§11.8) list, for v1 and v2 alike.

const N = 20_000;

function valuesOf(make: (version: 'v1' | 'v2') => Record<string, unknown>, keys: string[]): Map<string, Set<string>> {
  const seen = new Map(keys.map((k) => [k, new Set<string>()]));
  for (const version of ['v1', 'v2'] as const) {
    for (let i = 0; i < N; i++) {
      const item = make(version);
      for (const key of keys) seen.get(key)?.add(String(item[key]));
    }
  }
  return seen;
}

function outside(values: Set<string> | undefined, known: Set<string>): string[] {
  return [...(values ?? [])].filter((v) => !known.has(v)).sort();
}

void test('audit actions and object types are all documented', () => {
  const rng = createRng('enums-audit');
  const seen = valuesOf((version) => makeAuditEvent(rng, version) as unknown as Record<string, unknown>, ['action', 'object_type']);
  assert.deepEqual(outside(seen.get('action'), KNOWN_AUDIT_ACTIONS), []);
  assert.deepEqual(outside(seen.get('object_type'), KNOWN_AUDIT_OBJECT_TYPES), []);
  assert.ok((seen.get('action')?.size ?? 0) >= 25, 'a realistic variety');
});

void test('sign-in categories and types are all documented; federated only on v2', () => {
  const rng = createRng('enums-signin');
  const seen = valuesOf((version) => makeSignInAttempt(rng, version) as unknown as Record<string, unknown>, ['category', 'type']);
  assert.deepEqual(outside(seen.get('category'), KNOWN_SIGNIN_CATEGORIES), []);
  assert.deepEqual(outside(seen.get('type'), new Set([...KNOWN_SIGNIN_TYPES].filter((t) => t !== 'u2f_timout'))), [], 'the 1.2.0 misspelling is accepted, never emitted');
  assert.equal(seen.get('category')?.size, KNOWN_SIGNIN_CATEGORIES.size, 'every category occurs');
  const v1 = createRng('enums-v1');
  for (let i = 0; i < N; i++) assert.notEqual(makeSignInAttempt(v1, 'v1').type, 'federated');
});

void test('item usage actions are all documented, every one of them occurs', () => {
  const rng = createRng('enums-usage');
  const seen = valuesOf((version) => makeItemUsage(rng, version) as unknown as Record<string, unknown>, ['action']);
  assert.deepEqual(outside(seen.get('action'), KNOWN_ITEM_USAGE_ACTIONS), []);
  assert.equal(seen.get('action')?.size, KNOWN_ITEM_USAGE_ACTIONS.size);
});
