import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Issue #13 item 3: no secret value ever appears in an error. Every byte Hel writes (stdout and
// stderr, of validate and run) is searched for the secret and for any 10-character slice of it.

const JWT = `eyJhbGciOiJFUzI1NiIsImtpZCI6Im${'Q3aW5kb3dzMTIzNDU2Nzg5'.repeat(8)}.eyJhdWQiOlsiY29tLjFwYXNzd29yZC5ldmVudHNhcGkiXX0.Zm9vYmFyYmF6cXV4`;
const GITHUB = 'ghp_R8k2Lq9ZtX4mN7vB3cW1yH6pJ0sD5fG8aE2u';
const BIG_TOKEN = 'eyJ' + 'Ab9xYz'.repeat(680);

function assertNoSecret(output: string, secret: string, what: string): void {
  for (let i = 0; i + 10 <= secret.length; i += 5) {
    const slice = secret.slice(i, i + 10);
    assert.ok(!output.includes(slice), `${what}: the output contains ${JSON.stringify(slice)} of the secret:\n${output}`);
  }
}

const placements: { name: string; secret: string; yaml: string; env?: Record<string, string>; message: RegExp }[] = [
  {
    name: 'a JWT pasted into token_env (explicit bearer)',
    secret: JWT,
    yaml: `sources:\n  a:\n    url: https://events.1password.com/api/v2/auditevents\n    method: post\n    auth: { type: bearer, token_env: "${JWT}" }\n`,
    message: /sources\.a\.auth\.token_env: a string of \d+ characters \(not shown: it may be a secret\) is not an environment variable name/,
  },
  {
    name: 'a GitHub token pasted into token_env (it matches the variable-name pattern)',
    secret: GITHUB,
    yaml: `sources:\n  a:\n    url: https://api.github.com/x\n    auth: { type: bearer, token_env: ${GITHUB} }\n`,
    message: /token_env: .*looks like a credential pasted in by mistake/,
  },
  {
    name: 'a token pasted into the short form token_env',
    secret: JWT,
    yaml: `sources:\n  op:\n    type: onepassword\n    token_env: "${JWT}"\n`,
    message: /sources\.op\.token_env: a string of \d+ characters \(not shown/,
  },
  {
    name: 'a token pasted into token_file',
    secret: GITHUB,
    yaml: `sources:\n  a:\n    url: https://api.github.com/x\n    auth: { type: bearer, token_file: ${GITHUB} }\n`,
    message: /file named in token_file does not exist/,
  },
  {
    name: 'a token in a URL that is not valid',
    secret: GITHUB,
    yaml: `sources:\n  a:\n    url: "api.github.com/x?token=${GITHUB}"\n`,
    message: /sources\.a\.url: a string of \d+ characters \(not shown: it may be a secret\) is not a valid http\(s\) URL/,
  },
  {
    name: 'a secret from the environment expanded into a key whose values are shown',
    secret: GITHUB,
    yaml: 'sources:\n  a:\n    url: https://api.github.com/x\n    method: ${GH_TOKEN}\n',
    env: { GH_TOKEN: GITHUB },
    message: /sources\.a\.method: a string of 40 characters \(not shown: it may be a secret\) is not one of: get, post/,
  },
];

for (const p of placements) {
  test(`${p.name}: the error names the key, never the value`, async (t) => {
    const dir = tempDir(t);
    const config = join(dir, 'hel.yaml');
    writeFileSync(config, p.yaml);
    for (const args of [
      ['validate', '-c', config],
      ['run', '--once', '-c', config, '--state', join(dir, 's.db')],
    ]) {
      const r = await runCli(args, { env: { ONEPASSWORD_EVENTS_TOKEN: undefined, ...p.env } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, p.message);
      assertNoSecret(r.stdout + r.stderr, p.secret, args[0]!);
    }
  });
}

test('a 4 KB token file given as -c is not echoed', async (t) => {
  const dir = tempDir(t);
  const tokenFile = join(dir, 'token.txt');
  writeFileSync(tokenFile, BIG_TOKEN + '\n');
  for (const args of [
    ['validate', '-c', tokenFile],
    ['run', '--once', '-c', tokenFile, '--state', join(dir, 's.db')],
    ['state', 'show', '-c', tokenFile],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /expected a map with `sources:`.*got a string of 4083 characters \(not shown: it may be a secret\)/);
    assertNoSecret(r.stdout + r.stderr, BIG_TOKEN, args[0]!);
  }
});

test('values of keys that cannot hold secrets are still shown, and long ones are cut', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'hel.yaml');
  writeFileSync(config, `sources:\n  a:\n    url: https://x.example/\n    method: fetch\n    pagination: { strategy: cursor, cursor_param: c, cursor_path: c, cursor_in_body: ${'m'.repeat(100)} }\n`);
  const r = await runCli(['validate', '-c', config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /sources\.a\.method: the string "fetch" is not one of: get, post/);
  assert.match(r.stderr, /cursor_in_body: the string "m{28}…\(100 chars\)" is not one of: merge, replace/);
});
