import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { fakeApi } from '../helpers/fake-api.js';
import { startHel, waitFor, within, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('POST /api/v1/reload: 500 with the reason for a broken file, 200 with the changes; --source still limits what runs', async (t) => {
  const api = await fakeApi(t, (req) => ({ body: { items: [{ id: `${req.path}-${req.n}` }] } }));
  const dir = tempDir(t);
  const global = { api: { enabled: true, port: 0 } };
  const a = { url: `${api.url}/a`, schedule: { interval_secs: 0.3 } };
  const config = writeConfig(dir, { global, sources: { a, b: { url: `${api.url}/b` } } });
  const proc = startHel(t, ['run', '-c', config, '--state', join(dir, 'st.db'), '--source', 'a'], { env: { HEL_LOG_LEVEL: 'info' } });
  await waitFor(() => proc.stderr().includes('"listener":"api"') && api.on('/a').length > 0, 30_000, 'the API and a first poll');
  const listening = proc
    .stderr()
    .split('\n')
    .find((l) => l.includes('"listener":"api"'))!;
  const reloadUrl = `http://127.0.0.1:${String((JSON.parse(listening) as { port: number }).port)}/api/v1/reload`;

  writeFileSync(config, 'sources:\n  a:\n    url: [not, a, url]\n');
  const refused = await fetch(reloadUrl, { method: 'POST' });
  assert.equal(refused.status, 500);
  const why = (await refused.json()) as { ok: boolean; error: string; code: string; error_code: string };
  assert.equal(why.ok, false);
  assert.match(why.error, /the new config is invalid:[\s\S]*sources\.a\.url/);
  assert.equal(why.code, 'reload_refused', 'a refusal has a REST code like every other error answer');
  assert.equal(why.error_code, 'HEL_CONFIG');
  assert.equal(refused.status, ERROR_CODES.HEL_CONFIG.http);

  writeConfig(dir, { global, sources: { a: { ...a, headers: { 'x-config': 'v2' } }, b: { url: `${api.url}/b` }, c: { url: `${api.url}/c` } } });
  const applied = await fetch(reloadUrl, { method: 'POST' });
  assert.equal(applied.status, 200);
  assert.deepEqual(await applied.json(), { ok: true, error: null, changes: { added: [], removed: [], changed: ['a'], restarted: [], unchanged: [] } });
  await waitFor(() => api.requests.some((r) => r.headers['x-config'] === 'v2'), 20_000, 'a poll with the new config');
  assert.equal(api.on('/b').length + api.on('/c').length, 0, 'sources outside --source a are not started by a reload');
  proc.child.kill('SIGTERM');
  assert.deepEqual(await within(10_000, proc.exited, 'exit'), { code: 0, signal: null });
});
