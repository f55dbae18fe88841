import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { CLEAN_ENV, assertNoStack, runCases, validateYaml, type Case } from '../helpers/validate-cli.js';

const SOURCES_HINT = 'add a sources: map with at least one source; examples/hel.yaml is a starting point';
const START_HINT = 'start with `sources:` and one source; examples/hel.yaml is a starting point';

const cases: Case[] = [
  {
    name: 'tab indentation',
    yaml: 'sources:\n\tsrc:\n    url: https://a.example/\n',
    problems: ['hel.yaml:2:1 YAML syntax error: Tabs are not allowed as indentation (indent with spaces; YAML does not allow tabs)'],
  },
  {
    name: 'unclosed double quote points at the opening quote',
    yaml: 'sources:\n  src:\n    url: "https://a.example/\n    method: get\n',
    problems: ['hel.yaml:3:10 YAML syntax error: double quote opened here is never closed (close the quote on the same line, or remove it)'],
  },
  {
    name: 'unclosed single quote',
    yaml: "sources:\n  src:\n    url: https://a.example/\n    method: 'post\n",
    problems: ['hel.yaml:4:13 YAML syntax error: single quote opened here is never closed (close the quote on the same line, or remove it)'],
  },
  {
    name: 'duplicate key names the key',
    yaml: 'sources:\n  src:\n    url: https://a.example/\n    method: get\n    url: https://b.example/\n',
    problems: ['hel.yaml:5:5 YAML syntax error: duplicate key "url" (each key may appear once per map; remove or rename one of them)'],
  },
  {
    name: 'duplicate source name',
    yaml: 'sources:\n  src:\n    url: https://a.example/\n  src:\n    url: https://b.example/\n',
    problems: ['hel.yaml:4:3 YAML syntax error: duplicate key "src" (each key may appear once per map; remove or rename one of them)'],
  },
  {
    name: 'a key indented less than its siblings',
    yaml: 'sources:\n  src:\n    url: https://a.example/\n   method: get\n',
    problems: ['hel.yaml:4:1 YAML syntax error: All mapping items must start at the same column (keys of one map must start in the same column)'],
  },
  {
    name: 'sources as a list where a map is expected',
    yaml: 'sources:\n  - name: src\n    url: https://a.example/\n',
    problems: ['hel.yaml:2:3 sources: expected a map, got a list (write each source as `name:` followed by its keys, not as a list item `- ...`)'],
  },
  {
    name: 'sources as a string',
    yaml: 'sources: https://a.example/\n',
    problems: ['hel.yaml:1:10 sources: expected a map, got a string of 18 characters (not shown: it may be a secret) (sources: is a map of source name to source)'],
  },
  {
    name: 'a source that is a string',
    yaml: 'sources:\n  src: https://a.example/\n',
    problems: [
      'hel.yaml:2:8 sources.src: expected a map, got a string of 18 characters (not shown: it may be a secret) (a source is a map with url: and its settings, or with type: onepassword | okta | github | slack | tailscale | google_workspace)',
    ],
  },
  {
    name: 'a source that is empty',
    yaml: 'sources:\n  src:\n',
    problems: [
      'hel.yaml:2:3 sources.src: expected a map, got null (an empty value) (a source is a map with url: and its settings, or with type: onepassword | okta | github | slack | tailscale | google_workspace)',
    ],
  },
  {
    name: 'the whole file is a list',
    yaml: '- sources\n',
    problems: [`hel.yaml:1:1 expected a map with \`sources:\` (and optionally \`global:\`), got a list (${START_HINT})`],
  },
  {
    name: 'empty file',
    yaml: '',
    problems: [`hel.yaml:1:1 the file is empty (${START_HINT})`],
  },
  {
    name: 'only comments',
    yaml: '# sources:\n#   a: {}\n',
    problems: [`hel.yaml:1:1 the file is empty (${START_HINT})`],
  },
  {
    name: 'empty sources map',
    yaml: 'global:\n  log_level: info\nsources: {}\n',
    problems: ['hel.yaml:3:10 sources: no sources defined (add at least one source under sources:, e.g. the 1Password block from examples/hel.yaml)'],
  },
  {
    name: 'missing sources',
    yaml: 'global:\n  log_level: info\n',
    problems: [`hel.yaml:1:1 sources: required key is missing: expected a map (${SOURCES_HINT})`],
  },
  {
    name: 'misspelt sources: reported once, as unknown with a suggestion',
    yaml: 'source:\n  src:\n    url: https://a.example/\n',
    problems: ['hel.yaml:1:1 source: unknown key (did you mean "sources"?)'],
  },
  {
    name: 'a source name with a control character (spaces are fine, as in Helr)',
    yaml: 'sources:\n  "my\\tsource":\n    url: https://a.example/\n',
    problems: ['hel.yaml:2:3 sources.my\tsource: "my\\tsource" is not a source name of 1 to 200 printable characters'],
  },
];

void test('malformed YAML and file structure', { concurrency: 4 }, async (t) => {
  await runCases(t, cases);
});

void test('a missing config file: exit 2 and a hint, for -c and for the default hel.yaml', async (t) => {
  const dir = tempDir(t);
  const explicit = await runCli(['validate', '-c', 'nope.yaml'], { cwd: dir, env: CLEAN_ENV });
  assert.equal(explicit.code, 2);
  assertNoStack(explicit);
  assert.equal(explicit.stderr, 'hel: config invalid (1 problem):\n  nope.yaml does not exist (pass --config PATH or set HEL_CONFIG; examples/hel.yaml is a starting point)\n');

  const implicit = await runCli(['validate'], { cwd: dir, env: CLEAN_ENV });
  assert.equal(implicit.code, 2);
  assert.match(implicit.stderr, /^ {2}hel\.yaml does not exist \(pass --config PATH or set HEL_CONFIG;/m);
});

void test('a directory instead of a file', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['validate', '-c', '.'], { cwd: dir, env: CLEAN_ENV });
  assert.equal(r.code, 2);
  assertNoStack(r);
  assert.match(r.stderr, /^ {2}\. is not a regular file \(a directory\)/m);
});

void test('no stack trace without --debug; --debug and HEL_DEBUG=1 add one', async (t) => {
  const yaml = 'sources:\n  src:\n    url: nowhere\n';
  const plain = await validateYaml(t, yaml);
  assert.equal(plain.code, 2);
  assertNoStack(plain);

  for (const r of [await validateYaml(t, yaml, {}, ['--debug']), await validateYaml(t, yaml, { HEL_DEBUG: '1' })]) {
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ {2}hel\.yaml:3:10 sources\.src\.url: /m);
    assert.match(r.stderr, /^\s{4}at /m, 'a stack trace with --debug');
  }
});
