import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// An error thrown outside any awaited chain (injected here by a preloaded module) must still reach
// the user as one line with exit 1, never as a stack trace.

const THROW_LATER = 'data:text/javascript,setTimeout(()=>{throw new Error("escaped fault")},300)';

test('an asynchronous error escaping a running command is one line, exit 1, no stack trace', (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'hel.yaml');
  writeFileSync(
    config,
    `global:\n  state: {path: ${join(dir, 's.db')}}\nsources:\n  idle:\n    url: http://127.0.0.1:9/never\n    schedule: {interval_secs: 3600}\n    resilience: {retries: {max_attempts: 1}}\n`,
  );
  const result = spawnSync(process.execPath, ['--import', THROW_LATER, CLI, 'run', '-c', config], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HEL_LOG_LEVEL: 'silent' } });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^hel: unexpected error: escaped fault$/m);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
});
