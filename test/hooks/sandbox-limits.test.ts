import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { codeOf, sandbox, signal } from './runner.js';

const SCRIPT = `
function getAuth(ctx) { return { headers: { "X-Calls": "fine" } }; }
function buildRequest(ctx) { while (true) {} }
async function getNextPage(ctx) { await new Promise(function () {}); }
function parseResponse(ctx) { var kept = []; while (true) kept.push(new Array(100000).fill(ctx.sourceId)); }
function commitState(ctx) { var s = "x"; while (true) s = s + s; }
`;

test('an endless loop is stopped at timeout_secs with HEL_HOOK_TIMEOUT, and the next call runs in a new sandbox', async (t) => {
  const { runner } = sandbox(t, SCRIPT, { timeout_secs: 0.5 });
  const started = Date.now();
  const failure = await codeOf(runner.call('buildRequest', [{}], signal));
  const took = Date.now() - started;
  assert.equal(failure.code, 'HEL_HOOK_TIMEOUT');
  assert.equal(failure.message, 'hook buildRequest of src.js ran longer than 0.5s (global.hooks.timeout_secs) and was stopped');
  assert.match(failure.hint ?? '', /loop that never ends/);
  assert.ok(took >= 450 && took < 5000, `stopped after ${took} ms`);
  assert.deepEqual(await runner.call('getAuth', [{}], signal), { headers: { 'X-Calls': 'fine' } });
});

test('an async hook that never settles is stopped by the same timeout', async (t) => {
  const { runner } = sandbox(t, SCRIPT, { timeout_secs: 0.3 });
  assert.equal((await codeOf(runner.call('getNextPage', [{}], signal))).code, 'HEL_HOOK_TIMEOUT');
});

test('a script whose top level never returns is stopped while loading', async (t) => {
  const { runner } = sandbox(t, 'while (true) {}\nfunction getAuth() { return null; }', { timeout_secs: 0.3 });
  const failure = await codeOf(runner.call('getAuth', [{}], signal));
  assert.equal(failure.code, 'HEL_HOOK_TIMEOUT');
  assert.match(failure.message, /^loading src\.js ran longer than 0\.3s/);
});

test('allocating without bound is stopped at memory_limit_mb with HEL_HOOK_MEMORY; the sandbox comes back', async (t) => {
  const { runner } = sandbox(t, SCRIPT, { memory_limit_mb: 32, timeout_secs: 30 });
  const failure = await codeOf(runner.call('parseResponse', [{ sourceId: 'src' }], signal));
  assert.equal(failure.code, 'HEL_HOOK_MEMORY');
  assert.equal(failure.message, 'hook parseResponse of src.js used more than 32 MB (global.hooks.memory_limit_mb) and was stopped');
  // Doubling a string is the other classic bomb: V8 refuses the string or the heap runs out; either way the call fails typed.
  const strings = await codeOf(runner.call('commitState', [{}], signal));
  assert.ok(['HEL_HOOK_MEMORY', 'HEL_HOOK'].includes(strings.code), strings.code);
  assert.deepEqual(await runner.call('getAuth', [{}], signal), { headers: { 'X-Calls': 'fine' } });
});

test('binary buffers, whose memory the heap limit does not count, do not exist in hooks', async (t) => {
  const { runner } = sandbox(t, 'function getAuth() { return [typeof ArrayBuffer, typeof SharedArrayBuffer, typeof Uint8Array, typeof WebAssembly, typeof DataView]; }');
  assert.deepEqual(await runner.call('getAuth', [{}], signal), ['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
});

test("a runaway hook of one source does not stop another source's hooks", async (t) => {
  const bad = sandbox(t, SCRIPT, { memory_limit_mb: 32, timeout_secs: 30 }, 'bad');
  const good = sandbox(t, 'function getAuth(ctx) { return { query: { n: String(ctx.n) } }; }', {}, 'good');
  const bombing = codeOf(bad.runner.call('parseResponse', [{ sourceId: 'bad' }], signal));
  const answers: unknown[] = [];
  for (let n = 0; n < 20; n++) answers.push(await good.runner.call('getAuth', [{ n }], signal));
  assert.equal((await bombing).code, 'HEL_HOOK_MEMORY');
  assert.deepEqual(answers.at(-1), { query: { n: '19' } });
});
