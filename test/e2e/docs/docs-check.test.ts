/**
 * The docs are part of the product: every ```yaml block of README.md and docs/ is a complete
 * hel.yaml that the real `hel validate` accepts; every ```yaml fragment parses and its keys exist
 * where the schema puts them; every relative link and anchor resolves; every docs page the code
 * cites exists, with the section it names. Runs over whatever pages exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { parse } from 'yaml';
import { configJsonSchema } from '../../../src/cli/commands/schema.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { REPO, anchorsOf, exists, linksOf, markdownFiles, read, scan, slug, type Fence } from './markdown.js';
import { fragmentMisfit, needsOf, yamlErrors, yamlKind } from './yaml-blocks.js';

const MASTER_KEY = 'a'.repeat(64);
/** A token shaped like a 1Password Events token (a JWT whose audience names the US Events host), signed by nobody. */
const PLACEHOLDER_TOKEN = [{ alg: 'ES256', kid: 'docs' }, { aud: ['events.1password.com'], sub: 'docs', iss: 'com.1password.b5' }, 'c2ln']
  .map((p) => (typeof p === 'string' ? p : Buffer.from(JSON.stringify(p)).toString('base64url')))
  .join('.');

const DEFAULT_TOKEN_ENVS = ['ONEPASSWORD_EVENTS_TOKEN', 'OKTA_API_TOKEN', 'GITHUB_TOKEN', 'SLACK_AUDIT_TOKEN', 'TAILSCALE_API_KEY'];

/** A harmless value of the shape a variable's name asks for: a token, a JSON key, an email address. */
function placeholder(name: string): string {
  if (/TOKEN/.test(name)) return PLACEHOLDER_TOKEN;
  if (/_JSON$/.test(name)) return JSON.stringify({ type: 'service_account', client_email: 'docs@example.iam.gserviceaccount.com', private_key: 'docs-placeholder' });
  if (/USER|SUBJECT|EMAIL/.test(name)) return 'admin@example.com';
  return 'docs-placeholder';
}

const where = (f: Fence) => `${f.file}:${f.line}`;

function fences(): Fence[] {
  return markdownFiles().flatMap((file) => scan(file, read(file)).fences);
}

async function validateBlock(t: { after(fn: () => void): void }, fence: Fence): Promise<string | undefined> {
  const dir = tempDir(t);
  const needs = needsOf(fence.body);
  const env: Record<string, string | undefined> = { HEL_CONFIG: undefined, HEL_DEBUG: undefined, HEL_MASTER_KEY: MASTER_KEY, HEL_MASTER_KEY_FILE: undefined };
  // The short forms read these variables when no token key is given.
  for (const name of [...needs.env, ...DEFAULT_TOKEN_ENVS]) env[name] = placeholder(name);
  let body = fence.body;
  for (const file of needs.files) {
    // An absolute path of an example (/etc/hel/...) is created under the test's directory instead.
    const path = file.startsWith('/') ? join(dir, 'root', file) : join(dir, file);
    if (file.startsWith('/')) body = body.split(file).join(path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.endsWith('.key') ? MASTER_KEY : 'docs-placeholder\n', { mode: 0o600 });
  }
  writeFileSync(join(dir, 'hel.yaml'), body);
  for (const name of needs.secrets) {
    const stored = await runCli(['secrets', 'set', name, '-c', 'hel.yaml'], { cwd: dir, env, input: PLACEHOLDER_TOKEN });
    if (stored.code !== 0) return `hel secrets set ${name}: ${stored.stderr.trim()}`;
  }
  const result = await runCli(['validate', '-c', 'hel.yaml'], { cwd: dir, env, timeoutMs: 120_000 });
  return result.code === 0 ? undefined : `exit ${result.code}: ${result.stderr.trim()}`;
}

void test('every ```yaml block in README.md and docs/ is a complete config that `hel validate` accepts', async (t) => {
  const configs = fences().filter((f) => yamlKind(f.info) === 'config');
  assert.ok(configs.length >= 5, `only ${configs.length} complete YAML examples found`);
  const failures: string[] = [];
  const queue = [...configs];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const problem = await validateBlock(t, f);
      if (problem) failures.push(`${where(f)}: ${problem}`);
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(failures, [], `YAML examples hel validate refuses (fence a partial config as \`\`\`yaml fragment):\n${failures.join('\n\n')}`);
});

void test('every ```yaml fragment parses, and its keys exist in the schema where they are placed', () => {
  const schema = configJsonSchema() as Record<string, unknown>;
  const fragments = fences().filter((f) => yamlKind(f.info) === 'fragment');
  assert.ok(fragments.length >= 5, `only ${fragments.length} YAML fragments found`);
  const failures: string[] = [];
  for (const f of fragments) {
    const errors = yamlErrors(f.body);
    if (errors.length > 0) {
      failures.push(`${where(f)}: ${errors.join('; ')}`);
      continue;
    }
    const misfit = fragmentMisfit(parse(f.body) as unknown, schema);
    if (misfit !== undefined) failures.push(`${where(f)}: no place in the schema takes the keys ${misfit}`);
  }
  assert.deepEqual(failures, []);
});

void test('YAML blocks of other tools (```yaml prometheus, ...) parse', () => {
  const failures = fences()
    .filter((f) => yamlKind(f.info) === 'other')
    .flatMap((f) => yamlErrors(f.body).map((e) => `${where(f)}: ${e}`));
  assert.deepEqual(failures, []);
});

void test('every relative link and anchor in README.md, CHANGELOG.md and docs/ resolves', () => {
  const anchors = new Map<string, Set<string>>();
  const anchorsFor = (file: string) => {
    let set = anchors.get(file);
    if (!set) anchors.set(file, (set = anchorsOf(file, read(file))));
    return set;
  };
  const files = markdownFiles();
  const broken: string[] = [];
  let checked = 0;
  for (const file of files) {
    for (const link of linksOf(file, read(file))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue; // https:, mailto:
      checked++;
      const [path, anchor] = link.target.split('#', 2) as [string, string | undefined];
      const target = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
      if (target.startsWith('..') || !exists(join(REPO, target))) {
        broken.push(`${file}:${link.line}: ${link.target}: no such file`);
        continue;
      }
      if (anchor !== undefined && target.endsWith('.md') && !anchorsFor(target).has(anchor)) {
        broken.push(`${file}:${link.line}: ${link.target}: ${target} has no heading with the anchor #${anchor}`);
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} relative links found`);
  assert.deepEqual(broken, []);
});

void test('every docs page the code (src/, bench/) cites exists, with the section it names', () => {
  const sources: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) sources.push(full);
    }
  };
  walk(join(REPO, 'src'));
  walk(join(REPO, 'bench'));
  const broken: string[] = [];
  let cited = 0;
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/docs\/([A-Za-z0-9_/-]+\.md)(?:, "([^"]+)")?/g)) {
      cited++;
      const page = `docs/${m[1]}`;
      if (!exists(join(REPO, page))) broken.push(`${file.slice(REPO.length)}: cites ${page}, which does not exist`);
      else if (m[2] !== undefined && !anchorsOf(page, read(page)).has(slug(m[2]))) broken.push(`${file.slice(REPO.length)}: cites ${page}, "${m[2]}", which has no such section`);
    }
  }
  assert.ok(cited > 0);
  assert.deepEqual(broken, []);
});
