/**
 * docs/errors.md's table of codes is generated from src/errors/codes.ts, the table the CLI takes its
 * exit statuses from; the "What happened" cells are prose kept in the page. HEL_UPDATE_DOCS=1
 * (npm run docs:config) rewrites it. Also: the exit status the real CLI returns is the table's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, exitCodeOf, type ErrorCodeInfo } from '../../../src/errors/codes.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { assertGenerated, cells } from './generated.js';

const PAGE = fileURLToPath(new URL('../../../../docs/errors.md', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED: error codes (test/e2e/docs/errors-table.test.ts; npm run docs:config) -->';
/** The status cell of a REST answer whose status is its error_code's HTTP status in the table of codes. */
const BY_ERROR_CODE = 'by `error_code`';

const RETRIED: Record<ErrorCodeInfo['retried'], string> = {
  yes: 'yes',
  'by status': '408, 429, 5xx and a rate-limit 403: yes; other statuses: no',
  'by the output': "yes, by the output's redelivery",
  no: 'no',
  'not a failure': '— (not a failure)',
};

function render(current: string): string {
  const meanings = new Map<string, string>();
  let meaning = -1;
  for (const line of current.split('\n')) {
    const c = cells(line);
    if (c[0] === 'Code') meaning = c.indexOf('What happened');
    else if (/^`HEL_[A-Z_]+`$/.test(c[0] ?? '') && meaning > 0 && c.length > meaning) meanings.set(c[0]!.slice(1, -1), c[meaning]!);
  }
  const rows = Object.entries(ERROR_CODES).map(([code, info]) => `| \`${code}\` | ${info.exit} | ${info.http} | ${RETRIED[info.retried]} | ${meanings.get(code) ?? ''} | [more](${info.docs}) |`);
  return ['| Code | Exit | HTTP | Retried | What happened | |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

void test('docs/errors.md lists every error code with the exit status, HTTP status and retrying that src/errors/codes.ts defines', () => {
  assertGenerated(PAGE, BEGIN, render, 'npm run docs:config');
});

void test("the CLI exits with the status the table gives: a config error with HEL_CONFIG's, an unknown code with 1", async (t) => {
  assert.equal(exitCodeOf('HEL_NO_SUCH_CODE'), 1);
  const result = await runCli(['validate', '-c', 'missing.yaml'], { cwd: tempDir(t), env: { HEL_CONFIG: undefined } });
  assert.equal(result.code, ERROR_CODES.HEL_CONFIG.exit);
  assert.equal(result.code, 2);
});

void test('docs/errors.md lists every code the HTTP API answers with, with its status, and no other', () => {
  const answered = new Set<string>();
  const dir = fileURLToPath(new URL('../../../../src/server/', import.meta.url));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    // The status is a number, or the HTTP status of the Hel code the answer carries in error_code.
    for (const call of readFileSync(join(dir, file), 'utf8').matchAll(/sendError\(\s*[\w.]+,\s*(\d{3}|httpStatusOf\((?:[^()]|\([^()]*\))*\)),\s*([^,]+),/g)) {
      const status = /^\d{3}$/.test(call[1]!) ? call[1]! : BY_ERROR_CODE;
      for (const code of call[2]!.matchAll(/'([a-z_]+)'/g)) answered.add(`${code[1]} ${status}`);
    }
  }
  const page = readFileSync(PAGE, 'utf8');
  const section = page.slice(page.indexOf('## REST API error codes'));
  const documented = new Set<string>();
  for (const line of section.split('\n')) {
    const c = cells(line);
    if (/^`[a-z_]+`$/.test(c[0] ?? '')) documented.add(`${c[0]!.slice(1, -1)} ${c[1]}`);
  }
  assert.ok(answered.size >= 10, `only ${answered.size} sendError calls found`);
  assert.deepEqual([...documented].sort(), [...answered].sort());
});
