import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { systemClock } from '../../src/clock.js';
import type { ResolvedSource } from '../../src/config/resolved.js';
import { sourceSchema } from '../../src/config/schema.js';
import { hooksGlobalSchema } from '../../src/config/hooks-schema.js';
import { HookHost } from '../../src/hooks/host.js';
import type { SourceHooks } from '../../src/hooks/source-hooks.js';
import { fakeApi } from '../helpers/fake-api.js';
import { logEntries, parseLines, startHel, waitFor, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';

/** parseResponse that tags each event with `version`. */
const tagging = (version: string) =>
  `function parseResponse(ctx, response) { return response.body.items.map(function (e) { return { ts: e.at, source: ctx.sourceId, event: e, meta: { version: "${version}" } }; }); }`;

test('SIGHUP: a source whose hook changed (script_inline in the config, or its script file edited) runs the new script in a new sandbox, nothing twice', async (t) => {
  const dir = tempDir(t);
  const hooks = join(dir, 'hooks');
  mkdirSync(hooks);
  writeFileSync(join(hooks, 'tag.js'), tagging('file-v1'));
  let n = 0;
  const api = await fakeApi(t, (req) => {
    n++;
    return { body: { items: [{ id: `${req.path}-${n}`, at: new Date(Date.UTC(2026, 10, 20, 0, 0, n)).toISOString() }] } };
  });
  const config = (inline: string) => ({
    global: { state: { backend: 'memory' }, hooks: { enabled: true, path: hooks } },
    sources: {
      filed: { url: `${api.url}/filed`, schedule: { interval_secs: 0.2 }, hooks: { script: 'tag.js' } },
      inline: { url: `${api.url}/inline`, schedule: { interval_secs: 0.2 }, hooks: { script_inline: tagging(inline) } },
      plain: { url: `${api.url}/plain`, schedule: { interval_secs: 0.2 } },
    },
  });
  const cfg = writeConfig(dir, config('inline-v1'));
  const run = startHel(t, ['run', '-c', cfg], { env: { HEL_LOG_LEVEL: 'info' } });
  const versions = (source: string) =>
    parseLines(run.stdout())
      .filter((l) => l.source === source)
      .map((l) => (l.meta as { version: string }).version);
  await waitFor(() => versions('filed').length >= 2 && versions('inline').length >= 2, 30_000, 'events of both hooked sources');

  writeFileSync(join(hooks, 'tag.js'), tagging('file-v2'));
  writeConfig(dir, config('inline-v2'));
  run.child.kill('SIGHUP');
  await waitFor(() => run.stderr().includes('"msg":"config reloaded"'), 20_000, 'the reload');
  const reloaded = logEntries(run.stderr(), 'config reloaded')[0]!;
  assert.deepEqual([reloaded.changed, reloaded.unchanged], [['filed', 'inline'], ['plain']]);
  await waitFor(() => versions('filed').includes('file-v2') && versions('inline').includes('inline-v2'), 20_000, 'events tagged by the new scripts');
  for (const [source, old, now] of [
    ['filed', 'file-v1', 'file-v2'],
    ['inline', 'inline-v1', 'inline-v2'],
  ] as const) {
    const seen = versions(source);
    // Once the new script ran, the old one never runs again.
    assert.ok(seen.lastIndexOf(old) < seen.indexOf(now), `${source}: ${seen.join(', ')}`);
  }
  const ids = parseLines(run.stdout()).map((l) => l.event.id as string);
  assert.equal(new Set(ids).size, ids.length, 'no event twice');

  // A script that no longer compiles refuses the reload; the running sandbox goes on.
  writeFileSync(join(hooks, 'tag.js'), 'function parseResponse(ctx, response) {');
  run.child.kill('SIGHUP');
  await waitFor(() => run.stderr().includes('reload refused'), 20_000, 'the refusal');
  assert.match(run.stderr(), /reload refused, the running config is kept: the new config is invalid:.*sources\.filed\.hooks\.script: hook script \S+tag\.js line 1 does not compile/);
  const before = versions('filed').length;
  await waitFor(() => versions('filed').length >= before + 2, 20_000, 'polls after the refusal');
  assert.equal(versions('filed').at(-1), 'file-v2');
  run.child.kill('SIGTERM');
  assert.equal((await run.exited).code, 0);
});

test("a source's hooks built again stop its old sandbox; a retired source's sandbox is stopped too", async () => {
  const host = new HookHost({ global: hooksGlobalSchema.parse({ enabled: true }), env: {}, clock: systemClock, logger: pino({ level: 'silent' }) });
  const source = (version: string): ResolvedSource => ({
    ...sourceSchema.parse({ url: 'http://127.0.0.1:9/x', hooks: { script_inline: `function commitState(ctx, events) { return { v: "${version}" }; }` } }),
    name: 's',
    labelKey: 'source',
    labelValue: 's',
  });
  const signal = new AbortController().signal;
  const first = host.hooksFor(source('1')) as SourceHooks;
  assert.deepEqual(await first.options.runner.call('commitState', [{}, []], signal), { v: '1' });
  const second = host.hooksFor(source('2')) as SourceHooks;
  await assert.rejects(first.options.runner.call('commitState', [{}, []], signal), { code: 'HEL_CANCELLED' });
  assert.deepEqual(await second.options.runner.call('commitState', [{}, []], signal), { v: '2' });
  await host.retire('s');
  await assert.rejects(second.options.runner.call('commitState', [{}, []], signal), { code: 'HEL_CANCELLED' });
  await host.close();
});
