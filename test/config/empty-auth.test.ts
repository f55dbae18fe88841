import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, parseLines, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('auth: {} (Helr\'s "no auth") validates and sends no credentials; a block with keys but no type is still an error', async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, () => ({ body: { items: [{ id: 'e1' }] } }));
  const cfg = writeConfig(dir, { global: { state: { backend: 'memory' } }, sources: { open: { url: `${api.url}/open`, auth: {}, headers: { 'X-Tenant': 'acme' } } } });
  const valid = await hel(['validate', '-c', cfg]);
  assert.equal(valid.code, 0, valid.stderr);
  const run = await hel(['run', '--once', '-c', cfg]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(parseLines(run.stdout).length, 1);
  assert.equal(api.requests.length, 1);
  assert.equal(api.requests[0]!.headers.authorization, undefined);
  assert.equal(api.requests[0]!.headers['x-tenant'], 'acme');

  writeConfig(dir, { sources: { open: { url: `${api.url}/open`, auth: { token_env: 'SOME_TOKEN' } } } }, 'half.yaml');
  const refused = await hel(['validate', '-c', join(dir, 'half.yaml')]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /half\.yaml:\d+:\d+ sources\.open\.auth\.type: required key is missing: expected one of bearer, basic, api_key, oauth2, google_service_account/);
});
