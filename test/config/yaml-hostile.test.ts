import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Issue #13 item 8: YAML aliases and ${VAR} in keys cannot turn a config into something else.

async function validate(t: { after(fn: () => void): void }, yaml: string, env: Record<string, string> = {}) {
  const dir = tempDir(t);
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, yaml);
  return runCli(['validate', '-c', path], { env });
}

test('billion laughs: a located config error, exit 2, no memory blow-up', async (t) => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9)
        .fill(`*${'abcdefghi'[i - 1]}`)
        .join(',')}]`,
    );
  const r = await validate(t, `${levels.join('\n')}\nsources:\n  x:\n    url: https://x.example/\n    headers: *i\n`);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /hel\.yaml:2:\d+ YAML aliases expand too much/);
  assert.doesNotMatch(r.stderr, /unexpected error/);
});

test('an alias to an undefined anchor: file:line:column, exit 2', async (t) => {
  const r = await validate(t, 'sources:\n  a:\n    url: https://x.example/\n    headers: *nothere\n');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /hel\.yaml:4:14 YAML alias \*nothere refers to no anchor \(define &nothere before this line/);
});

test('${VAR} is not expanded in keys: an expanded key cannot replace url:', async (t) => {
  const r = await validate(t, 'sources:\n  a:\n    url: https://good.example/\n    ${KEY}: https://evil.example/\n', { KEY: 'url' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /hel\.yaml:4:5 sources\.a\.\$\{KEY\}: unknown key/);
});
