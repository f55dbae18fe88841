import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { tempDir } from '../helpers/tmp.js';
import { startDaemon } from '../helpers/hel-process.js';
import { startFailingApi } from '../helpers/loopback-apis.js';
import { failingSource, globalConfig } from '../helpers/server-config.js';

// Issue #13 item 8: without an API token, POST /api/v1/sources/*/poll refuses browser requests
// from other origins and through DNS names (rebinding); curl and scripts still work.

function post(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a poll trigger without a token: cross-origin and rebound requests get 403, same-origin and non-browser ones pass', async (t) => {
  const upstream = await startFailingApi(t, 500);
  const dir = tempDir(t);
  const hel = await startDaemon(dir, { global: globalConfig(dir), sources: { src: { ...failingSource(upstream, 100), schedule: { interval_secs: 3600 } } } });
  t.after(() => hel.stop());
  const api = hel.urls.api!;
  const url = `${api}/api/v1/sources/src/poll`;
  const host = new URL(api).host;

  assert.equal(await post(url, { Origin: 'http://evil.example' }), 403, 'a page on another site');
  assert.equal(await post(url, { Origin: 'null' }), 403, 'a sandboxed or file: page');
  assert.equal(await post(url, { 'Sec-Fetch-Site': 'cross-site' }), 403);
  const rebound = 'rebind.example:' + new URL(api).port;
  assert.equal(await post(url, { Host: rebound, Origin: `http://${rebound}` }), 403, 'DNS rebinding: same origin, but a name');
  assert.equal(await post(url, { Origin: `http://${host}` }), 502, 'the status page itself (same origin, by IP) may trigger; the poll then fails upstream');
  assert.equal(await post(url, {}), 502, 'curl sends no Origin');
});
