import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, parseLines, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

// Helr's hook example: since = ctx.state.watermark || ctx.defaultSince || "", with auth: {} beside it.
const SINCE_HOOK = `
function buildRequest(ctx) {
  return {
    headers: { Authorization: "Bearer " + ctx.env.HOOK_CTX_TOKEN },
    query: { since: ctx.state.watermark || ctx.defaultSince || "none", limit: "10" }
  };
}`;

test("ctx.defaultSince is the source's from; without from it is undefined; auth: {} leaves the credentials to the hook", async (t) => {
  const dir = tempDir(t);
  const api = await fakeApi(t, () => ({ body: { items: [{ id: 'e1' }] } }));
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' }, hooks: { enabled: true } },
    sources: {
      dated: { url: `${api.url}/dated`, from: '2026-01-01T00:00:00Z', auth: {}, hooks: { script_inline: SINCE_HOOK } },
      undated: { url: `${api.url}/undated`, auth: {}, hooks: { script_inline: SINCE_HOOK } },
    },
  });
  const run = await hel(['run', '--once', '-c', cfg], { env: { HOOK_CTX_TOKEN: 'tok-ctx' } });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    api.on('/dated').map((r) => [r.query.get('since'), r.headers.authorization]),
    [['2026-01-01T00:00:00Z', 'Bearer tok-ctx']],
  );
  assert.deepEqual(
    api.on('/undated').map((r) => [r.query.get('since'), r.headers.authorization]),
    [['none', 'Bearer tok-ctx']],
  );
  assert.equal(parseLines(run.stdout).length, 2);
});
