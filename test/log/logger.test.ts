import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, resolveLogLevel } from '../../src/log/logger.js';
import { captureStream } from '../helpers/log-capture.js';

const SECRETS = ['s3cr3t-auth-header', 's3cr3t-token', 's3cr3t-nested-auth', 's3cr3t-cookie', 's3cr3t-password', 's3cr3t-client', 's3cr3t-api-key', 's3cr3t-refresh'];

function logSecrets(format: 'json' | 'pretty'): string {
  const out = captureStream();
  const logger = createLogger({ level: 'info', format, destination: out.stream });
  logger.info(
    {
      headers: { authorization: 'Bearer s3cr3t-auth-header', accept: 'application/json' },
      token: 's3cr3t-token',
      request: { headers: { authorization: 's3cr3t-nested-auth', cookie: 's3cr3t-cookie', 'x-api-key': 's3cr3t-api-key' } },
      auth: { password: 's3cr3t-password', client_secret: 's3cr3t-client', refresh_token: 's3cr3t-refresh' },
    },
    'request sent',
  );
  return out.text();
}

void test('secrets are redacted by the logger itself, top-level and nested, in JSON', () => {
  const text = logSecrets('json');
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  const line = JSON.parse(text) as { headers: Record<string, string>; request: { headers: Record<string, string> } };
  assert.equal(line.headers.authorization, '[REDACTED]');
  assert.equal(line.headers.accept, 'application/json', 'harmless fields stay');
  assert.equal(line.request.headers.authorization, '[REDACTED]');
});

void test('secrets are redacted in the pretty format too', () => {
  const text = logSecrets('pretty');
  assert.match(text, /request sent/);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
});

void test('child loggers put the source on every line, and the service label on all', () => {
  const out = captureStream();
  const logger = createLogger({ level: 'info', format: 'json', service: 'hel', destination: out.stream });
  logger.child({ source: 'okta' }).warn('poll failed');
  const [line] = out.lines();
  assert.equal(line!.source, 'okta');
  assert.equal(line!.service, 'hel');
  assert.equal(line!.level, 40);
});

void test('the level: -q, then -v, then HEL_LOG_LEVEL, then global.log_level', () => {
  assert.equal(resolveLogLevel('info', {}, {}), 'info');
  assert.equal(resolveLogLevel('info', {}, { HEL_LOG_LEVEL: 'DEBUG' }), 'debug');
  assert.equal(resolveLogLevel('info', { verbose: true }, { HEL_LOG_LEVEL: 'warn' }), 'debug');
  assert.equal(resolveLogLevel('info', { quiet: true, verbose: true }, { HEL_LOG_LEVEL: 'trace' }), 'error');
  assert.throws(() => resolveLogLevel('info', {}, { HEL_LOG_LEVEL: 'verbose' }), { code: 'HEL_USAGE', message: /HEL_LOG_LEVEL=verbose is not a log level/ });
});

void test('lines below the level are not written', () => {
  const out = captureStream();
  const logger = createLogger({ level: 'warn', format: 'json', destination: out.stream });
  logger.info('hidden');
  logger.debug('hidden');
  logger.error('shown');
  assert.deepEqual(
    out.lines().map((l) => l.msg),
    ['shown'],
  );
});
