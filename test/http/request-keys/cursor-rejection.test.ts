import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rejectsCursor } from '../../../src/http/cursor-rejection.js';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));

test('rejectsCursor: 410 and 400 always; another 4xx only when its body says the cursor expired or is invalid', () => {
  assert.equal(rejectsCursor(410, undefined), true);
  assert.equal(rejectsCursor(400, body({ message: 'Bad Request' })), true);
  assert.equal(rejectsCursor(422, body({ error: 'invalid_cursor' })), true);
  assert.equal(rejectsCursor(404, body({ errorSummary: 'The page token has expired' })), true);
  assert.equal(rejectsCursor(404, body({ message: 'Not Found' })), false);
  assert.equal(rejectsCursor(422, body({ message: 'invalid filter' })), false, 'invalid, but not the cursor');
});

test('rejectsCursor: auth and rate-limit statuses never mean a stale cursor, whatever the body says', () => {
  for (const status of [401, 403, 407, 408, 429]) assert.equal(rejectsCursor(status, body({ message: 'cursor invalid' })), false, String(status));
  assert.equal(rejectsCursor(500, body({ message: 'cursor expired' })), false, 'not a 4xx');
});
