import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HelError } from '../../src/errors.js';
import { onePassword } from '../../src/integrations/onepassword/index.js';
import { serverMessage, troubleshoot } from '../../src/resilience/troubleshoot.js';

const OP = 'https://events.1password.com/api/v2/auditevents';
const body = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

test('serverMessage reads both 1Password error shapes and OAuth errors', () => {
  assert.equal(serverMessage(body({ Error: { Message: 'Unauthorized' } })), 'Unauthorized');
  assert.equal(serverMessage(body({ status: 400, message: 'bad cursor' })), 'bad cursor');
  assert.equal(serverMessage(body({ error: 'invalid_client', error_description: 'client unknown' })), 'client unknown');
  assert.equal(serverMessage(body({ error: 'invalid_grant' })), 'invalid_grant');
  assert.equal(serverMessage(Buffer.from('<html>oops</html>')), undefined);
  assert.equal(serverMessage(Buffer.alloc(0)), undefined);
  assert.equal(serverMessage(body({ message: 'x'.repeat(500) }))!.length, 200);
});

test('each failure gets a line a user can act on', () => {
  const cases: [Parameters<typeof troubleshoot>[0], RegExp, RegExp][] = [
    [{ url: OP, attempt: 1, status: 401, final: true }, /^HTTP 401 Unauthorized$/, /needs the auditevents feature/],
    [{ url: 'https://api.example.com/logs', attempt: 1, status: 401, final: true }, /401/, /invalid, revoked or expired, or lack the scope/],
    [{ url: OP, attempt: 1, status: 400, final: true, carriesCursor: true }, /400/, /on_cursor_error: reset/],
    [{ url: OP, attempt: 1, status: 400, final: true }, /400/, /ResetCursor/],
    [{ url: OP, attempt: 1, status: 403, final: true }, /403 Forbidden/, /not allowed/],
    [{ url: OP, attempt: 1, status: 404, final: true }, /404 Not Found/, /check the URL \/ region/],
    [{ url: OP, attempt: 2, status: 429, retryInMs: 30_000 }, /429 Too Many Requests; retrying in 30 s/, /600 requests\/min/],
    [{ url: OP, attempt: 5, status: 502 }, /502 Bad Gateway; gave up after 5 attempts/, /status-codes/],
    [{ url: OP, attempt: 1, status: 500, retryInMs: 300_000 }, /retrying in 5 min/, /server error/],
  ];
  for (const [failure, message, hint] of cases) {
    const result = troubleshoot(failure, onePassword.troubleshoot);
    assert.match(result.message, message);
    assert.match(result.hint, hint);
  }
});

test('without an integration the hints are generic', () => {
  assert.match(troubleshoot({ url: OP, attempt: 1, status: 404, final: true }).hint, /^check the URL \/ region$/);
  assert.match(troubleshoot({ url: OP, attempt: 1, status: 429, final: true }).hint, /lower the request rate/);
});

test('network and timeout failures keep their own message and hint', () => {
  const error = new HelError('HEL_TIMEOUT', 'no complete response within 30 s', { hint: 'raise resilience.timeout_secs' });
  assert.deepEqual(troubleshoot({ url: OP, attempt: 3, error }), {
    message: 'no complete response within 30 s; gave up after 3 attempts',
    hint: 'raise resilience.timeout_secs',
  });
});
