import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hel } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';

const PAGE = new URL('../../../../docs/daemon.md', import.meta.url);

test('every complete YAML example of docs/daemon.md passes hel validate', async (t) => {
  const blocks = [...readFileSync(PAGE, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 6, `the page's examples (${blocks.length})`);
  const dir = tempDir(t);
  for (const [i, block] of blocks.entries()) {
    const config = join(dir, `example-${i}.yaml`);
    writeFileSync(config, block);
    const result = await hel(['validate', '-c', config], { env: { API_TOKEN: 'x'.repeat(24) } });
    assert.equal(result.code, 0, `example ${i + 1}:\n${block}\n${result.stderr}${result.stdout}`);
  }
});
