import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Issue #13 item 2: the config file is read with a size bound and only as a regular file.

const cases: { name: string; path: (dir: string) => string; message: RegExp }[] = [
  { name: '/dev/zero', path: () => '/dev/zero', message: /\/dev\/zero is not a regular file \(a device\)/ },
  { name: 'a directory', path: (dir) => dir, message: /is not a regular file \(a directory\)/ },
  {
    name: 'a FIFO nobody writes to',
    path: (dir) => {
      const fifo = join(dir, 'hel.yaml');
      execFileSync('mkfifo', [fifo]);
      return fifo;
    },
    message: /hel\.yaml is not a regular file \(a named pipe\)/,
  },
  {
    name: 'a file over 1 MiB',
    path: (dir) => {
      const big = join(dir, 'big.yaml');
      writeFileSync(big, '#'.repeat(2 * 1024 * 1024));
      return big;
    },
    message: /big\.yaml is 2097152 bytes, over the limit of 1048576 bytes/,
  },
];

for (const c of cases) {
  test(`a config path that is ${c.name} is a clear error, exit 2, at once`, async (t) => {
    const dir = tempDir(t);
    for (const command of [['validate'], ['run', '--once']]) {
      const r = await runCli([...command, '-c', c.path(dir)], { timeoutMs: 60_000 });
      assert.equal(r.signal, null, 'hel exits by itself (no hang)');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.message);
      assert.match(r.stderr, /--config/);
      assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
      if (c.name.startsWith('a FIFO')) break;
    }
  });
}
