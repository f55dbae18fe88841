import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { tempDir } from '../helpers/tmp.js';
import { codeOf, sandbox, signal } from './runner.js';

const NETWORK = `
async function getAuth(ctx) {
  var res = await fetch(ctx.url, { method: "POST", headers: { "X-From": "hook" }, body: "ping" });
  return { status: res.status, cookie: res.headers.get("set-cookie"), body: await res.json() };
}`;

test('fetch() does not exist without allow_network: the call fails HEL_HOOK_DENIED and nothing is sent', async (t) => {
  const api = await fakeApi(t, () => ({ body: {} }));
  const { runner } = sandbox(t, NETWORK);
  const failure = await codeOf(runner.call('getAuth', [{ url: api.url }], signal));
  assert.equal(failure.code, 'HEL_HOOK_DENIED');
  assert.equal(failure.message, 'hook getAuth called fetch(), which needs global.hooks.allow_network: true (src.js:3:13)');
  assert.equal(failure.hint, 'set global.hooks.allow_network: true to allow it');
  assert.equal(api.requests.length, 0);
});

test('with allow_network, fetch() reaches the server and answers status, headers and body', async (t) => {
  const api = await fakeApi(t, () => ({ headers: { 'set-cookie': 'DS=abc; Path=/; HttpOnly' }, body: { ok: 1 } }));
  const { runner } = sandbox(t, NETWORK, { allow_network: true });
  assert.deepEqual(await runner.call('getAuth', [{ url: `${api.url}/token` }], signal), { status: 200, cookie: 'DS=abc; Path=/; HttpOnly', body: { ok: 1 } });
  assert.equal(api.requests[0]?.method, 'POST');
  assert.equal(api.requests[0]?.headers['x-from'], 'hook');
  assert.equal(api.requests[0]?.body, 'ping');
});

test('a fetch() that fails rejects inside the hook, which can catch it', async (t) => {
  const { runner } = sandbox(t, 'async function getAuth(ctx) { try { await fetch("http://127.0.0.1:9/"); return "no"; } catch (e) { return e.name + ": " + e.message.slice(0, 12); } }', {
    allow_network: true,
  });
  assert.equal(await runner.call('getAuth', [{}], signal), 'TypeError: fetch failed');
});

const FILES = `
function getAuth(ctx) {
  var fs = require("fs");
  fs.writeFileSync(ctx.path, "written by a hook");
  fs.appendFileSync(ctx.path, "; and appended");
  return { text: fs.readFileSync(ctx.path), there: fs.existsSync(ctx.path), listed: fs.readdirSync(ctx.dir) };
}
function buildRequest() { return require("child_process"); }`;

test('require does not exist without allow_fs: HEL_HOOK_DENIED, and no file is touched', async (t) => {
  const dir = tempDir(t);
  const { runner } = sandbox(t, FILES);
  const failure = await codeOf(runner.call('getAuth', [{ path: join(dir, 'f.txt'), dir }], signal));
  assert.equal(failure.code, 'HEL_HOOK_DENIED');
  assert.equal(failure.message, 'hook getAuth called require, which needs global.hooks.allow_fs: true (src.js:3:12)');
  assert.equal(existsSync(join(dir, 'f.txt')), false);
});

test('with allow_fs, require("fs") reads and writes text files, and no other module loads', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'other.txt'), 'x');
  const { runner } = sandbox(t, FILES, { allow_fs: true });
  const answer = await runner.call('getAuth', [{ path: join(dir, 'f.txt'), dir }], signal);
  assert.deepEqual(answer, { text: 'written by a hook; and appended', there: true, listed: ['f.txt', 'other.txt'] });
  assert.equal(readFileSync(join(dir, 'f.txt'), 'utf8'), 'written by a hook; and appended');
  const failure = await codeOf(runner.call('buildRequest', [{}], signal));
  assert.equal(failure.code, 'HEL_HOOK');
  assert.match(failure.message, /^hook buildRequest threw: require\('child_process'\): hooks can load only 'fs' \(src\.js:8:/);
});

test('process is never there: HEL_HOOK_DENIED even with every permission', async (t) => {
  const { runner } = sandbox(t, 'function getAuth() { return process.env; }', { allow_fs: true, allow_network: true });
  const failure = await codeOf(runner.call('getAuth', [{}], signal));
  assert.equal(failure.code, 'HEL_HOOK_DENIED');
  assert.equal(failure.message, 'hook getAuth used process, which hooks never get (src.js:1:22)');
});

test('the known ways out of a vm context lead nowhere', async (t) => {
  const script = `
function attempt(f) { try { var r = f(); return typeof r === "object" && r !== null ? "ESCAPED" : String(r); } catch (e) { return "refused: " + e.message; } }
async function getAuth() {
  var viaImport;
  try { await import("node:fs"); viaImport = "ESCAPED"; } catch (e) { viaImport = attempt(function () { return e.constructor.constructor("return process")(); }); }
  return {
    global: attempt(function () { return this.constructor.constructor("return process")(); }.bind(globalThis)),
    consoleFn: attempt(function () { return console.log.constructor("return process")(); }),
    fetchFn: attempt(function () { return fetch.constructor("return process")(); }),
    requireFn: attempt(function () { return require.constructor("return process")(); }),
    eval: attempt(function () { return eval("globalThis"); }),
    newFunction: attempt(function () { return new Function("return 1")(); }),
    viaImport: viaImport,
    types: [typeof process, typeof globalThis.require, typeof setTimeout, typeof Buffer].join()
  };
}
function buildRequest() { return [buildRequest.caller, arguments.callee.caller]; }`;
  const { runner } = sandbox(t, script, { allow_fs: true, allow_network: true });
  const answer = (await runner.call('getAuth', [{}], signal)) as Record<string, string>;
  const generation = 'refused: Code generation from strings disallowed for this context';
  assert.deepEqual(answer, {
    global: generation,
    consoleFn: generation,
    fetchFn: generation,
    requireFn: generation,
    eval: generation,
    newFunction: generation,
    viaImport: generation,
    types: 'undefined,function,undefined,undefined',
  });
  // A sloppy-mode hook's caller is Hel's strict driver, which the language hides.
  assert.deepEqual(await runner.call('buildRequest', [{}], signal), [null, null]);
});

test('console output goes to the log with a hook_console field, bounded per call', async (t) => {
  const { runner, log } = sandbox(
    t,
    'function getAuth(ctx) { console.log("token for", ctx.sourceId, { n: 1 }); console.warn("careful"); console.error(new Error("boom").message); console.debug("detail"); for (var i = 0; i < 500; i++) console.info(i); return null; }',
  );
  assert.equal(await runner.call('getAuth', [{ sourceId: 'src' }], signal), null);
  const lines = log();
  assert.deepEqual(
    lines.slice(0, 4).map((l) => [l.level, l.hook_console, l.hook, l.source, l.msg]),
    [
      [30, 'token for src {"n":1}', 'getAuth', 'src', 'hook console.log'],
      [40, 'careful', 'getAuth', 'src', 'hook console.warn'],
      [50, 'boom', 'getAuth', 'src', 'hook console.error'],
      [20, 'detail', 'getAuth', 'src', 'hook console.debug'],
    ],
  );
  assert.equal(lines.length, 201);
  assert.match(String(lines.at(-1)?.hook_console), /further console output of this call dropped \(more than 200 lines\)/);
});

test('each call starts from a fresh context: globals a call sets are gone in the next', async (t) => {
  const { runner } = sandbox(t, 'var calls = 0; function getAuth() { calls++; globalThis.leak = (globalThis.leak || 0) + 1; return [calls, leak]; }');
  assert.deepEqual(await runner.call('getAuth', [{}], signal), [1, 1]);
  assert.deepEqual(await runner.call('getAuth', [{}], signal), [1, 1]);
});

test('a hook that throws fails HEL_HOOK with its message and the line in the script', async (t) => {
  const { runner } = sandbox(t, 'function parseResponse(ctx, response) {\n  throw new Error("GraphQL errors: " + JSON.stringify(response.body.errors));\n}');
  const failure = await codeOf(runner.call('parseResponse', [{}, { body: { errors: [{ message: 'bad' }] } }], signal));
  assert.equal(failure.code, 'HEL_HOOK');
  assert.equal(failure.message, 'hook parseResponse threw: GraphQL errors: [{"message":"bad"}] (src.js:2:9)');
});

test('what fetch() and readFileSync bring into a hook is bounded at 16 MiB', async (t) => {
  const dir = tempDir(t);
  const big = 'x'.repeat(16 * 1024 * 1024 + 1);
  writeFileSync(join(dir, 'big.txt'), big);
  const api = await fakeApi(t, () => ({ raw: big }));
  const script =
    'async function getAuth(ctx) { try { await fetch(ctx.url); return "read"; } catch (e) { return e.message; } }\nfunction buildRequest(ctx) { try { require("fs").readFileSync(ctx.path); return "read"; } catch (e) { return e.message; } }';
  const { runner } = sandbox(t, script, { allow_network: true, allow_fs: true, memory_limit_mb: 128, timeout_secs: 30 });
  assert.equal(await runner.call('getAuth', [{ url: api.url }], signal), 'fetch failed: the response is larger than 16 MiB');
  assert.equal(await runner.call('buildRequest', [{ path: join(dir, 'big.txt') }], signal), `${join(dir, 'big.txt')} is larger than 16 MiB`);
});
