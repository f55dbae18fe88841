import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { statSync } from 'node:fs';
import { authSchema } from '../../src/config/schema.js';
import { authTransport } from '../../src/http/auth/auth-transport.js';
import { httpTransport } from '../../src/http/http-transport.js';
import { CLI } from '../helpers/cli.js';
import type { Cleanups } from '../helpers/loopback.js';
import { tempDir } from '../helpers/tmp.js';
import { SecretResolver } from '../../src/secrets/resolver.js';

/** `hel mock <type>` for each new integration: its banner names a URL and tokens, and the good one reads events. */
const CASES = [
  { type: 'okta', path: '/api/v1/logs?limit=2', auth: (t: string) => `SSWS ${t}`, events: (b: unknown) => b as unknown[] },
  { type: 'github', path: '/orgs/acme/audit-log?per_page=2', auth: (t: string) => `Bearer ${t}`, events: (b: unknown) => b as unknown[] },
  { type: 'slack', path: '/audit/v1/logs?limit=2', auth: (t: string) => `Bearer ${t}`, events: (b: unknown) => (b as { entries: unknown[] }).entries },
  {
    type: 'tailscale',
    path: `/api/v2/tailnet/-/logging/configuration?start=2000-01-01T00:00:00Z&end=${new Date(Date.now() + 86_400_000).toISOString()}`,
    auth: (t: string) => `Basic ${Buffer.from(`${t}:`).toString('base64')}`,
    events: (b: unknown) => (b as { logs: unknown[] }).logs,
  },
];

/** `hel mock ARGS` with three events on a free port, and what it printed up to its "Ctrl-C" line. */
async function startMock(t: Cleanups, args: string[]): Promise<{ child: ChildProcess; stdout: string }> {
  const child = spawn(process.execPath, [CLI, 'mock', ...args, '--port', '0', '--events', '3', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  child.stdout.setEncoding('utf8');
  while (!stdout.includes('Ctrl-C')) {
    const [chunk] = (await once(child.stdout, 'data')) as [string];
    stdout += chunk;
  }
  return { child, stdout };
}

for (const c of CASES) {
  test(`hel mock ${c.type} prints its URL and tokens; the good token reads events, the revoked one gets 401`, async (t) => {
    const { child, stdout } = await startMock(t, [c.type]);
    const url = /listening on (http:\/\/\S+)/.exec(stdout)![1]!;
    const [, good, revoked] = /^token: (\S+)\s+\(revoked: (\S+),/m.exec(stdout)!;
    const read = (token: string) => fetch(`${url}${c.path}`, { headers: { authorization: c.auth(token), 'user-agent': 'test' } });
    const ok = await read(good!);
    assert.equal(ok.status, 200);
    assert.equal(c.events(await ok.json()).length, c.type === 'tailscale' ? 3 : 2);
    assert.equal((await read(revoked!)).status, 401);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
}

test('hel mock google_workspace writes its service account keys; the good one gets a token that reads activities, the deleted one gets invalid_grant', async (t) => {
  const dir = tempDir(t);
  const { child, stdout } = await startMock(t, ['google_workspace', '--credentials-dir', dir]);
  const url = /listening on (http:\/\/\S+)/.exec(stdout)![1]!;
  const keyFile = /^service account key: (\S+)$/m.exec(stdout)![1]!;
  const deleted = /a deleted key: (\S+);/.exec(stdout)![1]!;
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const authWith = (file: string) =>
    authSchema.parse({ type: 'google_service_account', credentials_file: file, subject_env: 'SUBJECT', scopes: ['https://www.googleapis.com/auth/admin.reports.audit.readonly'] });
  const secrets = new SecretResolver({ env: { SUBJECT: /^delegated admin: (\S+)/m.exec(stdout)![1]! }, path: '/nonexistent' });
  const ctx = { source: 'gws', signal: new AbortController().signal, page: 1 };
  const reports = `${url}/admin/reports/v1/activity/users/all/applications/login?maxResults=2`;
  const ok = await authTransport(httpTransport({ timeoutMs: 10_000 }), authWith(keyFile), secrets).send({ method: 'GET', url: reports, headers: {} }, ctx);
  assert.equal(ok.status, 200);
  assert.equal((JSON.parse(ok.body.toString('utf8')) as { items: unknown[] }).items.length, 2);
  const refused = await authTransport(httpTransport({ timeoutMs: 10_000 }), authWith(deleted), secrets)
    .send({ method: 'GET', url: reports, headers: {} }, ctx)
    .then(
      () => undefined,
      (err: Error) => err.message,
    );
  assert.match(refused!, /HTTP 400 \(Invalid JWT Signature\.\)/);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});
