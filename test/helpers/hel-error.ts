import assert from 'node:assert/strict';
import { isHelError, type HelError } from '../../src/errors.js';

/** The HelError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejectionOf(promise: Promise<unknown>, expected = 'a HelError'): Promise<HelError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isHelError(err), String(err));
    return err;
  }
  assert.fail(`expected ${expected}`);
}

/** The HelError `fn` throws; fails the test when it returns or throws anything else. */
export function thrownBy(fn: () => unknown, expected = 'a HelError'): HelError {
  try {
    fn();
  } catch (err) {
    assert.ok(isHelError(err), `not a HelError: ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${expected}`);
}
