import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeApi } from '../helpers/fake-api.js';
import { hel, parseLines, stateOf, writeConfig } from '../helpers/hel-process.js';
import { tempDir } from '../helpers/tmp.js';
import { EXAMPLE_HOOKS } from '../helpers/hook-examples.js';
import { afterOf, auditNodes, cursorAt, graphqlAuditHandler } from './graphql-fake.js';

const config = (dir: string, url: string) =>
  writeConfig(dir, {
    global: { state: { backend: 'sqlite', path: join(dir, 'state.db') }, hooks: { enabled: true, path: EXAMPLE_HOOKS } },
    sources: { audit: { url: `${url}/graphql`, method: 'post', hooks: { script: 'graphql-cursor.js' }, dedupe: { id_path: 'id' } } },
  });

test('graphql-cursor.js: cursor pages through the query variables, each page committed with its cursor, so a failed page loses nothing and repeats nothing', async (t) => {
  const dir = tempDir(t);
  const nodes = auditNodes(250);
  let fail: string | undefined = cursorAt(199);
  const api = await fakeApi(t, graphqlAuditHandler({ nodes: () => nodes, token: 'gql-token', failAfter: () => fail }));
  const cfg = config(dir, api.url);
  const env = { API_TOKEN: 'gql-token' };

  const first = await hel(['run', '--once', '-c', cfg], { env });
  assert.equal(first.code, 1);
  assert.match(first.stderr, /audit: FAILED: hook parseResponse threw: GraphQL: Something went wrong while executing your query \(.*graphql-cursor\.js:15:\d+\)/);
  assert.deepEqual(
    api.requests.map((r) => afterOf(r.body)),
    [null, cursorAt(99), cursorAt(199)],
  );
  assert.deepEqual(
    parseLines(first.stdout).map((l) => l.event.id),
    nodes.slice(0, 200).map((n) => n.id),
  );
  assert.equal((await stateOf(join(dir, 'state.db'))).audit!.cursor, cursorAt(199));

  fail = undefined;
  const second = await hel(['run', '--once', '-c', cfg], { env });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    api.requests.slice(3).map((r) => afterOf(r.body)),
    [cursorAt(199)],
  );
  const lines = parseLines(second.stdout);
  assert.deepEqual(
    lines.map((l) => l.event.id),
    nodes.slice(200).map((n) => n.id),
  );
  assert.deepEqual(lines[0], { ts: nodes[200]!.createdAt, source: 'audit', endpoint: '/graphql', event: nodes[200], meta: { cursor: cursorAt(249) } });

  // Nothing new: the saved cursor is asked again and kept.
  const third = await hel(['run', '--once', '-c', cfg], { env });
  assert.equal(third.code, 0, third.stderr);
  assert.equal(third.stdout, '');
  assert.equal((await stateOf(join(dir, 'state.db'))).audit!.cursor, cursorAt(249));
});
