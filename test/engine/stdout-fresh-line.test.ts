import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, childEnv } from '../helpers/cli.js';
import { cursorFeed, fakeApi, makeEvents } from '../helpers/fake-api.js';
import { hel, NO_PROXY_ENV, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

const cursor = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };

/** `hel ARGS >> file`: stdout is the regular file itself, opened for appending. */
async function helAppendingTo(file: string, args: string[]): Promise<number | null> {
  const fd = openSync(file, 'a');
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv({ HEL_LOG_LEVEL: 'warn', ...NO_PROXY_ENV }), stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

test('stdout redirected to a file (>>): a run starts on a fresh line only when the file does not end with one', async (t) => {
  const api = await fakeApi(t, cursorFeed(makeEvents(3), 2));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { audit: { url: `${api.url}/events`, pagination: cursor } } });
  const out = join(dir, 'out.ndjson');
  writeFileSync(out, '{"whole":1}\n{"torn":');
  assert.equal(await helAppendingTo(out, ['run', '--once', '-c', config, '--state', join(dir, 'a.db')]), 0);
  const lines = readFileSync(out, 'utf8').split('\n');
  assert.deepEqual(lines.slice(0, 2), ['{"whole":1}', '{"torn":'], 'the torn fragment stays on its own line');
  assert.equal(lines.slice(2, -1).filter((l) => JSON.parse(l) !== null).length, 3, 'every event on a whole line of its own');

  const before = readFileSync(out, 'utf8');
  assert.equal(await helAppendingTo(out, ['run', '--once', '-c', config, '--state', join(dir, 'b.db')]), 0);
  const added = readFileSync(out, 'utf8').slice(before.length);
  assert.ok(!added.startsWith('\n'), 'no blank line after a file that ends with a newline');
  assert.equal(added.split('\n').filter(Boolean).length, 3);
});

test('stdout to a pipe: the first write starts with one newline, in case the reader holds a torn line', async (t) => {
  const api = await fakeApi(t, cursorFeed(makeEvents(5), 2));
  const dir = tempDir(t);
  const config = writeConfig(dir, { sources: { audit: { url: `${api.url}/events`, pagination: cursor } } });
  const run = await hel(['run', '--once', '-c', config, '--state', join(dir, 'st.db')]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.startsWith('\n{'), JSON.stringify(run.stdout.slice(0, 20)));
  assert.equal(run.stdout.split('\n').filter((l) => l === '').length, 2, 'the leading blank line and the final newline only');
});
