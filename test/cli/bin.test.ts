import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { CLI } from '../helpers/cli.js';

// `npx hel` runs the package's bin directly: it must be executable and start with a shebang.

test('the hel bin is executable and runs through its shebang', async () => {
  assert.ok((statSync(CLI).mode & 0o111) !== 0, `${CLI} is not executable: run npm ci or npm run build (the build sets the bit)`);
  assert.match(readFileSync(CLI, 'utf8').split('\n')[0]!, /^#!\/usr\/bin\/env node$/);
  const { stdout } = await promisify(execFile)(CLI, ['--version']);
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(stdout.trim(), pkg.version);
});
