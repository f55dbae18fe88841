import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { HelError } from '../errors.js';

const STALE_MS = 30_000;
const WAIT_MS = 5_000;

/**
 * Serialises read-modify-write cycles of two `hel secrets` processes on the same file, so one
 * `set` does not silently drop another's value. A lock older than 30 s is left over from a crash.
 */
export function withStoreLock<T>(path: string, fn: () => T): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new HelError('HEL_SECRET', `cannot create lock file ${lock} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
          hint: 'check that the directory of the secrets file exists and is writable',
        });
      }
      if (isStale(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new HelError('HEL_SECRET', `secrets file ${path} is locked by another hel process`, { hint: `retry, or remove ${lock} if no hel secrets command is running` });
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function isStale(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs > STALE_MS;
  } catch {
    return false;
  }
}
