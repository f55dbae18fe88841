import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { isHelError } from '../../src/errors.js';
import { openSink } from '../../src/sink/open-sink.js';
import { tempDir } from '../helpers/tmp.js';

const config = (global: Record<string, unknown> = {}) => parseConfig(JSON.stringify({ global, sources: { s: { url: 'http://127.0.0.1:9/e' } } }), 'hel.yaml', { env: {} });
const usageError = (pattern: RegExp) => (err: unknown) => isHelError(err) && err.code === 'HEL_USAGE' && pattern.test(`${err.message} ${err.context.hint ?? ''}`);

test('openSink chooses by the output: nothing is stdout, a path or a file:// URL is a file, --output overrides the config', (t) => {
  const dir = tempDir(t);
  assert.equal(openSink(config()).description, 'stdout');
  assert.equal(openSink(config({ output: { path: join(dir, 'a.ndjson') } })).description, `file ${join(dir, 'a.ndjson')}`);
  assert.equal(openSink(config(), { output: pathToFileURL(join(dir, 'b.ndjson')).href }).description, `file ${join(dir, 'b.ndjson')}`);
  assert.equal(openSink(config({ output: { path: join(dir, 'a.ndjson') } }), { output: join(dir, 'c.ndjson') }).description, `file ${join(dir, 'c.ndjson')}`);
});

test('openSink refuses an unknown scheme, naming the ones it knows, and rotation of anything but a file', () => {
  assert.throws(() => openSink(config(), { output: 'kafka://127.0.0.1:9092' }), usageError(/unsupported output kafka:\/\/.*file:\/\//));
  assert.throws(() => openSink(config(), { outputRotate: 'daily' }), usageError(/--output-rotate needs --output PATH/));
  assert.throws(() => openSink(config(), { output: 'out.ndjson', outputRotate: 'weekly' }), usageError(/invalid rotation "weekly"/));
});
