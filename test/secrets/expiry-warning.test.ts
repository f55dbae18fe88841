import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { MASTER_KEY, eventsToken } from '../helpers/secrets-fixtures.js';

// docs/secrets.md, "Expiry warnings": loading a config warns about a stored token that expires soon.
void test('hel validate warns about a stored token that expires within 14 days, naming the secret and the fix, never its value', async (t) => {
  const dir = tempDir(t);
  const env = { HEL_MASTER_KEY: MASTER_KEY, HEL_MASTER_KEY_FILE: undefined, HEL_CONFIG: undefined, ONEPASSWORD_EVENTS_TOKEN: undefined };
  const soon = eventsToken(5);
  const later = eventsToken(60);
  for (const [name, value] of [
    ['op_soon', soon],
    ['op_later', later],
  ] as const) {
    const set = await runCli(['secrets', 'set', name], { cwd: dir, env, input: `${value}\n` });
    assert.equal(set.code, 0, set.stderr);
  }
  writeFileSync(join(dir, 'hel.yaml'), 'sources:\n  op:\n    type: onepassword\n    streams: [auditevents]\n    token_secret: op_soon\n');
  const result = await runCli(['validate'], { cwd: dir, env });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^warning: secret op_soon: .*: rotate it and run hel secrets set op_soon$/m);
  assert.doesNotMatch(result.stderr, /op_later/);
  assert.ok(!result.stderr.includes(soon) && !result.stdout.includes(soon), 'the token leaked');
});
