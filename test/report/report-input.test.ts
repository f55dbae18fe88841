import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { daysPhrase, describeExpiry, expiryOf } from '../../src/secrets/expiry.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Issue #13 item 8: `hel report --input DIR` and expiry days.

test('hel report --input DIR is a usage error naming the directory, exit 2', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['report', '--input', dir, '--format', 'md', '--out', '-']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`report input ${dir} is a directory`));
  assert.match(r.stderr, /hint: pass the NDJSON files in it, e\.g\. --input .*\/\*\.ndjson/);
  assert.doesNotMatch(r.stderr, /unexpected error/);
});

test('expiry days are whole days rounded toward zero everywhere: 24 h past expiry is 1 day ago', async (t) => {
  const day = 86_400_000;
  const exp = Date.UTC(2026, 5, 1);
  const now = exp + day + 60_000;
  assert.equal(describeExpiry(expiryOf(new Date(exp).toISOString(), now)), 'expired 2026-06-01 (1 day(s) ago)');
  assert.equal(describeExpiry(expiryOf(new Date(exp).toISOString(), exp - 2 * day - 60_000)), 'expires 2026-06-01 (in 2 day(s))');
  assert.equal(daysPhrase(-0.5), 'less than a day ago');
  assert.equal(daysPhrase(0.5), 'in less than a day');

  const dir = tempDir(t);
  const input = join(dir, 'events.ndjson');
  writeFileSync(input, '');
  const expiry = new Date(Date.now() - day - 60_000).toISOString();
  const r = await runCli(['report', '--input', input, '--format', 'md', '--out', '-', '--token-expiry', expiry]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Events API token expires .* \(expired 1 day\(s\) ago\)/);
});
