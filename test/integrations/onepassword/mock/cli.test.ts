import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { CLI, runCli } from '../../../helpers/cli.js';
import { startOnePasswordMock } from '../../../../src/integrations/onepassword/mock/server.js';

interface RunningMock {
  url: string;
  token: string;
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `hel mock onepassword` and resolves once it has printed its URL and token. */
function startCliMock(args: string[]): Promise<RunningMock> {
  const child = spawn(process.execPath, [CLI, 'mock', 'onepassword', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mock did not start: ${stdout} ${stderr}`));
    }, 10_000);
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`mock exited early: ${stderr}`));
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      const token = /^token: (\S+)$/m.exec(stdout)?.[1];
      if (url && token && stdout.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolve({
          url,
          token,
          async stop() {
            child.kill('SIGTERM');
            const [code] = await exited;
            return { code, stdout, stderr };
          },
        });
      }
    });
  });
}

void test('hel mock onepassword serves until SIGTERM and prints how to point Hel at it', async () => {
  const mock = await startCliMock(['--port', '0', '--events', '7', '--seed', 'cli']);
  const res = await request(`${mock.url}/api/v2/auditevents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mock.token}` },
    body: JSON.stringify({ start_time: '2020-01-01T00:00:00Z' }),
  });
  assert.equal(res.statusCode, 200);
  assert.equal(((await res.body.json()) as { items: unknown[] }).items.length, 7);
  const { code, stdout, stderr } = await mock.stop();
  assert.equal(code, 0);
  assert.ok(stdout.includes(`export ONEPASSWORD_EVENTS_TOKEN=${mock.token}`));
  assert.ok(stdout.includes(`base_url: ${mock.url}`));
  assert.ok(stdout.includes('type: onepassword'));
  assert.match(stderr, /^POST \/api\/v2\/auditevents 200 \(7 items\)$/m);
  // The printed key verifies the printed token the way 1Password's own clients check it: ES256 only.
  const jwk = /^token verification key \(ES256 JWK\): (\{.*\})$/m.exec(stdout)?.[1];
  assert.ok(jwk, stdout);
  const { payload } = await jwtVerify(mock.token, await importJWK(JSON.parse(jwk) as JWK, 'ES256'), { algorithms: ['ES256'] });
  assert.deepEqual(payload.aud, ['events.1password.com']);
});

void test('hel mock onepassword applies --faults', async () => {
  const mock = await startCliMock(['--port', '0', '--events', '1', '--faults', '500:1', '--quiet']);
  const statuses: number[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await request(`${mock.url}/api/v2/auth/introspect`, { headers: { authorization: `Bearer ${mock.token}` } });
    await res.body.dump();
    statuses.push(res.statusCode);
  }
  const { code, stderr } = await mock.stop();
  assert.deepEqual(statuses, [500, 200]);
  assert.equal(code, 0);
  assert.equal(stderr, '', '--quiet logs nothing');
});

void test('bad flags and a busy port are usage errors with one line and exit code 2', async (t) => {
  const busy = await startOnePasswordMock({ events: 0 });
  t.after(() => busy.close());
  const cases = [
    ['--faults', 'explode:1'],
    ['--port', '99999'],
    ['--events', 'many'],
    ['--port', String(busy.port)],
  ];
  const results = await Promise.all(cases.map((args) => runCli(['mock', 'onepassword', ...args], { timeoutMs: 15_000 })));
  for (const [index, result] of results.entries()) {
    assert.equal(result.code, 2, cases[index]?.join(' '));
    assert.match(result.stderr, /^hel: /);
    assert.equal(result.stdout, '');
  }
  assert.match(results[3]?.stderr ?? '', /already in use/);
});
