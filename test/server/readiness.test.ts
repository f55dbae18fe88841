import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { failingSource, globalConfig } from '../helpers/server-config.js';
import { getJson, startDaemon, waitFor } from '../helpers/hel-process.js';
import { freePort } from '../helpers/loopback.js';
import { startFailingApi } from '../helpers/loopback-apis.js';

void test('/readyz is 503 and names the failed check while no source is healthy; api and metrics on one port serve once', async (t) => {
  const broken = await startFailingApi(t, 500);
  const dir = tempDir(t);
  const port = await freePort();
  const global = { ...globalConfig(dir, { port }), metrics: { enabled: true, address: '127.0.0.1', port } };
  const hel = await startDaemon(dir, { global, sources: { broken: failingSource(broken, 1000) } }, { listeners: ['api'] });
  const api = hel.urls.api!;
  assert.equal(api, `http://127.0.0.1:${port}`);

  const pending = await getJson(`${api}/readyz`);
  assert.equal(pending.status, 503);
  await waitFor(async () => ((await getJson(`${api}/healthz`)).body.sources as { status: string }[])[0]!.status === 'failing', 5000, 'broken to be failing');

  const { status, body } = await getJson(`${api}/readyz`);
  assert.equal(status, 503);
  assert.equal(body.code, 'not_ready');
  assert.equal(body.ready, false);
  assert.equal(body.state_store_healthy, true);
  assert.equal(body.output_healthy, true);
  assert.equal(body.at_least_one_source_healthy, false);
  assert.deepEqual(body.failed, ['at_least_one_source_healthy']);
  assert.match(String(body.error), /at_least_one_source_healthy/);

  const health = await getJson(`${api}/healthz`);
  assert.equal(health.status, 200, 'healthz stays 200 while the process runs');
  assert.equal(health.body.status, 'degraded');

  const metrics = await fetch(`${api}/metrics`);
  assert.match(await metrics.text(), /hel_errors_total\{source="broken",code="HEL_HTTP_STATUS"\} [1-9]/);
  assert.ok(!hel.stderr().includes('"listener":"metrics"'), 'one listener when api and metrics share address and port');
  assert.equal(await hel.stop(), 0);
});

void test('an unset global.api.token_env stops hel at start instead of serving the API without a token', async (t) => {
  const dir = tempDir(t);
  const broken = await startFailingApi(t, 500);
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, stringify({ global: globalConfig(dir, { token_env: 'HEL_TEST_UNSET_TOKEN' }), sources: { broken: failingSource(broken, 1000) } }));
  const result = await runCli(['run', '-c', path], { env: { HEL_TEST_UNSET_TOKEN: undefined } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /global\.api\.token_env names HEL_TEST_UNSET_TOKEN, but that environment variable is empty or not set/);
});
