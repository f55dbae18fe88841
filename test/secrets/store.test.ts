import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { listSecrets, removeSecret, setSecret } from '../../src/secrets/store.js';
import { SecretsFile } from '../../src/secrets/secrets-file.js';
import { listSecretExpiries, secretExpiryWarnings } from '../../src/secrets/expiry.js';
import { interpretKeyText } from '../../src/secrets/master-key.js';
import { tokenExpiry } from '../../src/integrations/registry.js';
import { MASTER_KEY, eventsToken } from '../helpers/secrets-fixtures.js';

void test('key text: 64 hex and base64 of 32 bytes are keys, anything else a passphrase', () => {
  assert.equal(interpretKeyText(MASTER_KEY, 'k').kind, 'raw');
  assert.equal(interpretKeyText(randomBytes(32).toString('base64'), 'k').kind, 'raw');
  assert.equal(interpretKeyText(randomBytes(32).toString('base64url'), 'k').kind, 'raw');
  assert.equal(interpretKeyText('correct horse battery staple', 'k').kind, 'passphrase');
  assert.equal(interpretKeyText(MASTER_KEY.slice(2), 'k').kind, 'passphrase');
});

void test('a passphrase store round-trips and stores a per-file salt', (t) => {
  const path = join(tempDir(t), 's.enc');
  const env = { HEL_MASTER_KEY: 'correct horse battery staple' };
  setSecret('one', 'v1', { path, env });
  setSecret('two', 'v2', { path, env });
  const header = JSON.parse(readFileSync(path, 'utf8')) as { kdf: string; salt: string };
  assert.equal(header.kdf, 'scrypt');
  assert.equal(Buffer.from(header.salt, 'base64').length, 16);
  assert.equal(new SecretsFile({ path, env }).value('one'), 'v1');
  assert.equal(new SecretsFile({ path, env }).value('two'), 'v2');
  assert.throws(() => new SecretsFile({ path, env: { HEL_MASTER_KEY: 'correct horse battery stapler' } }).value('one'), {
    code: 'HEL_SECRET',
    message: /wrong HEL_MASTER_KEY\?/,
  });
});

void test('SecretsFile.value: a missing file or name is a HEL_SECRET with a hint', (t) => {
  const path = join(tempDir(t), 's.enc');
  const env = { HEL_MASTER_KEY: MASTER_KEY };
  assert.throws(
    () => new SecretsFile({ path, env }).value('x'),
    (e: { code: string; context: { hint?: string } }) => e.code === 'HEL_SECRET' && /hel secrets set x/.test(e.context.hint ?? ''),
  );
  setSecret('y', 'v', { path, env });
  assert.throws(() => new SecretsFile({ path, env }).value('x'), { code: 'HEL_SECRET', message: /secret x is not in/ });
});

void test('updates keep created_at and move updated_at; rm removes', (t) => {
  const path = join(tempDir(t), 's.enc');
  const env = { HEL_MASTER_KEY: MASTER_KEY };
  setSecret('a', 'v1', { path, env }, new Date('2026-01-01T00:00:00Z'));
  setSecret('a', 'v2', { path, env }, new Date('2026-02-01T00:00:00Z'));
  assert.deepEqual(listSecrets({ path, env }), [{ name: 'a', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-02-01T00:00:00.000Z' }]);
  removeSecret('a', { path, env });
  assert.deepEqual(listSecrets({ path, env }), []);
});

void test('listSecretExpiries and secretExpiryWarnings report tokens expiring within 14 days', (t) => {
  const path = join(tempDir(t), 's.enc');
  const env = { HEL_MASTER_KEY: MASTER_KEY };
  assert.equal(listSecretExpiries(listSecrets({ path, env })).size, 0, 'no file, no secrets');
  setSecret('soon', eventsToken(3), { path, env, tokenExpiry });
  setSecret('later', eventsToken(60), { path, env, tokenExpiry });
  setSecret('plain', 'not-a-jwt', { path, env, tokenExpiry });
  const expiries = listSecretExpiries(listSecrets({ path, env }));
  assert.equal(expiries.get('soon')?.expiringSoon, true);
  assert.equal(expiries.get('later')?.expiringSoon, false);
  assert.equal(expiries.get('plain')?.expiresAt, undefined);
  assert.equal(Math.floor(expiries.get('later')?.daysLeft ?? 0), 59);
  const warnings = secretExpiryWarnings(listSecrets({ path, env }));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /^secret soon: expires .* \(in 2 day\(s\)\): rotate it/);
});
