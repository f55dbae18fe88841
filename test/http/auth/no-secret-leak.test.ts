import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authSchema, type AuthConfig } from '../../../src/config/schema.js';
import { isHelError } from '../../../src/errors.js';
import { failureLine } from '../../../src/errors/format.js';
import { resilience } from '../../helpers/resilience-config.js';
import { context, harness, post, thrown } from '../../helpers/transport-harness.js';
import { json, scriptedServer } from '../../helpers/loopback.js';

const SECRETS = {
  TOKEN: 'ops_SECRET_bearer_7f3a',
  USER: 'SECRET_user_91',
  PASS: 'SECRET_password_22',
  KEY: 'SECRET_apikey_55',
  CID: 'SECRET_client_id_3',
  CSECRET: 'SECRET_client_secret_8',
  RTOKEN: 'SECRET_refresh_4',
};
const BASIC = Buffer.from(`${SECRETS.USER}:${SECRETS.PASS}`).toString('base64');

function assertClean(err: unknown, label: string): void {
  assert.ok(isHelError(err), `${label}: a HelError`);
  const text = [err.message, err.context.hint ?? '', JSON.stringify(err.context), failureLine(err), String(err.stack)].join('\n');
  for (const secret of [...Object.values(SECRETS), BASIC]) {
    assert.ok(!text.includes(secret), `${label}: leaked ${secret} in ${text}`);
  }
}

test('no secret value appears in any thrown error', async (t) => {
  // A hostile server that echoes every credential it receives into its error bodies.
  const server = await scriptedServer(t, (_n, req, res, body) => {
    const echo = `${req.headers.authorization ?? ''} ${String(req.headers['x-api-key'] ?? '')} ${body}`;
    if (req.url === '/oauth/token') json(res, 400, { error: 'invalid_grant', error_description: `rejected ${echo}` });
    else if (req.url?.startsWith('/bad')) json(res, 400, { Error: { Message: `bad request ${echo}` } });
    else json(res, 401, { status: 401, message: `unauthorized ${echo}` });
  });
  const auths: [string, AuthConfig][] = [
    ['bearer', authSchema.parse({ type: 'bearer', token_env: 'TOKEN' })],
    ['basic', authSchema.parse({ type: 'basic', user_env: 'USER', password_env: 'PASS' })],
    ['api_key', authSchema.parse({ type: 'api_key', header: 'X-API-Key', key_env: 'KEY' })],
    ['oauth2', authSchema.parse({ type: 'oauth2', token_url: `${server.url}/oauth/token`, client_id_env: 'CID', client_secret_env: 'CSECRET' })],
    ['oauth2 refresh', authSchema.parse({ type: 'oauth2', token_url: `${server.url}/oauth/token`, client_id_env: 'CID', client_secret_env: 'CSECRET', refresh_token_env: 'RTOKEN' })],
  ];
  for (const [label, auth] of auths) {
    const h = harness(t, { auth, env: SECRETS, resilience: resilience({ retries: { max_attempts: 1 } }) });
    assertClean(await thrown(() => h.transport.send(post(`${server.url}/api/v2/auditevents?token=${SECRETS.TOKEN}`), context())), `${label} 401`);
    assertClean(await thrown(() => h.transport.send(post(`${server.url}/bad`), context())), `${label} 400`);
    assertClean(await thrown(() => h.transport.send(post('http://127.0.0.1:1/x'), context())), `${label} network`);
  }
  const unset = harness(t, { auth: auths[0]![1], env: {} });
  assertClean(await thrown(() => unset.transport.send(post(server.url), context())), 'unset env');
});
