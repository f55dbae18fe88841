import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, isConfigError } from '../../src/config/errors.js';
import { HelError, isHelError } from '../../src/errors.js';
import { ERROR_CODES, httpStatusOf } from '../../src/errors/codes.js';
import { codeOf, describeError, errorLogFields, failureLine, terminalReport } from '../../src/errors/format.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

const timedOut = () =>
  new HelError('HEL_TIMEOUT', 'no complete response within 30 s', {
    source: 'okta',
    url: 'https://admin:pw@example.okta.com/api/v1/logs?since=1&api_key=abc',
    attempt: 3,
    status: 504,
    hint: 'raise resilience.timeout_secs',
  });

test('failureLine names the source, the URL without secrets and the attempt', () => {
  const err = new HelError('HEL_HTTP_STATUS', 'HTTP 401 Unauthorized', {
    source: '1password-audit',
    url: 'https://user:pw@api.example.com/logs?token=abc&page=2',
    attempt: 1,
    hint: 'check the token',
  });
  assert.equal(failureLine(err), 'source 1password-audit: HTTP 401 Unauthorized (https://api.example.com/logs?token=REDACTED&page=2, attempt 1): check the token');
});

test('describeError: message, URL without secrets, attempt and hint on one line; a foreign error is its message', () => {
  assert.equal(describeError(timedOut()), 'no complete response within 30 s (https://example.okta.com/api/v1/logs?since=1&api_key=REDACTED, attempt 3) — raise resilience.timeout_secs');
  assert.equal(describeError(new HelError('HEL_STATE', 'the state file was replaced')), 'the state file was replaced');
  assert.equal(describeError(new TypeError('x is not a function')), 'x is not a function');
  assert.equal(describeError('a thrown string'), 'a thrown string');
  // A context URL that is only a path cannot be parsed; it is printed as given rather than hidden.
  assert.equal(describeError(new HelError('HEL_REPLAY_MISMATCH', 'no recording', { url: '/api/v2/auditevents' })), 'no recording (/api/v2/auditevents)');
});

test('terminalReport: the source joins the location and the hint has its own line; no stack unless asked', () => {
  assert.equal(
    terminalReport(timedOut(), false),
    'hel: no complete response within 30 s (source okta, https://example.okta.com/api/v1/logs?since=1&api_key=REDACTED, attempt 3)\n  hint: raise resilience.timeout_secs',
  );
  const debug = terminalReport(timedOut(), true).split('\n');
  assert.match(debug[2]!, /^HelError: no complete response/);
  assert.match(debug[3]!, /^\s{4}at /);
});

test('terminalReport: a config error is one line per problem; anything else is a bug that says so', () => {
  const config = new ConfigError([
    { file: 'hel.yaml', line: 7, column: 5, path: 'sources.a.schedul', message: 'unknown key', hint: 'did you mean "schedule"?' },
    { file: 'hel.yaml', line: 9, column: 3, path: 'sources.b.url', message: 'required' },
  ]);
  assert.equal(terminalReport(config, false), 'hel: config invalid (2 problems):\n  hel.yaml:7:5 sources.a.schedul: unknown key (did you mean "schedule"?)\n  hel.yaml:9:3 sources.b.url: required');
  assert.equal(terminalReport(new RangeError('bad index'), false), 'hel: unexpected error: bad index\n  hint: run again with --debug for details and report it as a bug');
  assert.doesNotMatch(terminalReport(new RangeError('bad index'), false), /\n\s+at /);
  assert.match(terminalReport(new RangeError('bad index'), true), /\n\s+at /);
});

test('codeOf: a HelError keeps its code, a config error is HEL_CONFIG, anything else HEL_UNEXPECTED; each has an exit and an HTTP status', () => {
  assert.equal(codeOf(timedOut()), 'HEL_TIMEOUT');
  assert.equal(codeOf(new ConfigError([])), 'HEL_CONFIG');
  assert.equal(codeOf(new Error('boom')), 'HEL_UNEXPECTED');
  assert.equal(codeOf(undefined), 'HEL_UNEXPECTED');
  assert.equal(httpStatusOf('HEL_TIMEOUT'), 504);
  assert.equal(httpStatusOf('HEL_UNEXPECTED'), 500);
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.ok(Number.isInteger(info.http) && info.http >= 400 && info.http <= 599, `${code}: HTTP ${info.http} is not an error status`);
    assert.ok(info.exit === 1 || info.exit === 2, `${code}: exit ${info.exit}`);
  }
});

test('a ConfigError is a HelError with code HEL_CONFIG that keeps its issues, and reads the same through every formatter', () => {
  const config = new ConfigError([{ file: 'hel.yaml', line: 3, column: 1, path: 'global.output', message: 'unknown key', hint: 'did you mean "outputs"?' }]);
  assert.ok(config instanceof HelError && config instanceof ConfigError && isHelError(config) && isConfigError(config));
  assert.equal(config.code, 'HEL_CONFIG');
  assert.equal(config.name, 'ConfigError');
  assert.deepEqual(config.context, {});
  assert.equal(config.issues[0]!.path, 'global.output');
  const line = 'hel.yaml:3:1 global.output: unknown key (did you mean "outputs"?)';
  assert.equal(describeError(config), line);
  assert.equal(failureLine(config), line);
  assert.equal(terminalReport(config, false), `hel: config invalid (1 problem):\n  ${line}`);
  assert.equal(ERROR_CODES[codeOf(config)].exit, 2);
});

test('errorLogFields: the code, and the URL without secrets, attempt and status when known; only a bug keeps its stack', () => {
  assert.deepEqual(errorLogFields(timedOut()), { code: 'HEL_TIMEOUT', url: 'https://example.okta.com/api/v1/logs?since=1&api_key=REDACTED', attempt: 3, status: 504 });
  assert.deepEqual(errorLogFields(new HelError('HEL_STATE', 'damaged')), { code: 'HEL_STATE' });
  assert.deepEqual(errorLogFields(new ConfigError([])), { code: 'HEL_CONFIG' });
  const bug = errorLogFields(new TypeError('x is undefined'));
  assert.equal(bug.code, 'HEL_UNEXPECTED');
  assert.match(String(bug.stack), /^TypeError: x is undefined\n\s+at /);
});

/** Every .ts file under src/, relative to it. */
function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') ? [relative(SRC, full)] : [];
  });
}

test('one formatter: no file outside src/errors/ names HEL_UNEXPECTED, builds the "unexpected error" line or formats an error\'s location', () => {
  const files = sources();
  assert.ok(files.length > 100, `only ${files.length} source files found`);
  const offenders: string[] = [];
  for (const file of files.filter((f) => !f.startsWith('errors/') && !f.startsWith('errors.ts'))) {
    const text = readFileSync(join(SRC, file), 'utf8');
    if (text.includes("'HEL_UNEXPECTED'")) offenders.push(`${file}: HEL_UNEXPECTED (use codeOf)`);
    if (text.includes('unexpected error:')) offenders.push(`${file}: the unexpected-error line (use terminalReport)`);
    if (/`[^`\n]*attempt \$\{/.test(text) || /context\.hint \? ` \(/.test(text)) offenders.push(`${file}: formats an error's location or hint (use describeError)`);
    for (const call of logCalls(text))
      if (ERROR_BY_HAND.test(call)) offenders.push(`${file}: a log line or poll warning formats an error by hand (use describeError and errorLogFields): ${call.slice(0, 80)}`);
    if (/text: String\((?:err|error)\)/.test(text)) offenders.push(`${file}: a check line prints an error with String() (use describeError)`);
  }
  assert.deepEqual(offenders, []);
});

/** A caught error's own message or String() in a line: it drops the URL, the attempt and the hint that describeError adds. */
const ERROR_BY_HAND = /\(?\b(?:err|error|caught|cause|e)\b(?: as \w+\))?\??\.message\b|String\((?:err|error|caught|cause|e)\)/;

/** The text of every logger call (`log.warn(…)`, `this.options.logger?.error(…)`) and poll warning emitted in `text`, parentheses balanced. */
function logCalls(text: string): string[] {
  return [...text.matchAll(/(?:\blog|\blogger)\??\.(?:trace|debug|info|warn|error|fatal)\(|emit\('poll\.warning',/g)].map((m) => {
    let depth = 1;
    let end = m.index + m[0].length;
    for (; end < text.length && depth > 0; end++) depth += text[end] === '(' ? 1 : text[end] === ')' ? -1 : 0;
    return text.slice(m.index, end);
  });
}
