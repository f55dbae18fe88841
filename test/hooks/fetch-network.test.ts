import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

test('under --replay-dir a hook fetch() is refused: nothing reaches the network, the poll fails saying why', async (t) => {
  const tokens = await fakeApi(t, () => ({ body: { access_token: 'live' } }));
  const dir = tempDir(t);
  const replay = join(dir, 'recordings');
  mkdirSync(replay);
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true, allow_network: true } },
    sources: {
      tok: {
        url: 'https://api.example.com/events',
        hooks: { script_inline: 'async function getAuth(ctx) { var r = await fetch(ctx.env.TOKEN_URL); return { headers: { Authorization: "Bearer " + (await r.json()).access_token } }; }' },
      },
    },
  });
  const run = await hel(['run', '--once', '-c', cfg, '--replay-dir', replay], { env: { TOKEN_URL: `${tokens.url}/token` } });
  assert.notEqual(run.code, 0);
  assert.equal(tokens.requests.length, 0, 'the token endpoint was never asked');
  assert.match(run.stderr, /hook getAuth threw: TypeError: fetch failed: hooks cannot fetch\(\) under --replay-dir: a replay sends nothing to the network/);
});
