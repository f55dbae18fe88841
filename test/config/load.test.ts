import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type LoadedConfig } from '../../src/config/load.js';
import { isConfigError, type ConfigIssue } from '../../src/config/errors.js';
import { SEED_CONFIG, fakeEventsToken } from '../helpers/config-fixtures.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const TOKEN = 'ops_not_a_jwt';
const parse = (yaml: string, env: NodeJS.ProcessEnv = {}, requireSecrets = true): LoadedConfig => parseConfig(yaml, 'hel.yaml', { env, now: () => NOW, requireSecrets });

function issuesOf(yaml: string, env: NodeJS.ProcessEnv = {}): ConfigIssue[] {
  try {
    parse(yaml, env);
  } catch (err) {
    assert.ok(isConfigError(err), String(err));
    return err.issues;
  }
  assert.fail('expected a ConfigError');
}

void test('defaults are filled, and safe, when blocks are absent', () => {
  const config = parse('sources:\n  src:\n    url: https://a.example/\n');
  const [s] = config.sources;
  assert.equal(config.sources.length, 1);
  assert.equal(s!.name, 'src');
  assert.equal(s!.method, 'get');
  assert.deepEqual(s!.pagination, { strategy: 'none' });
  assert.deepEqual(s!.schedule, { interval_secs: 60, jitter_secs: 0 });
  assert.equal(s!.resilience.timeout_secs, 30);
  assert.deepEqual(s!.resilience.retries, { max_attempts: 3, initial_backoff_secs: 1, max_backoff_secs: 60, multiplier: 2, jitter: 0.2 });
  assert.deepEqual(s!.resilience.circuit_breaker, { enabled: true, failure_threshold: 5, success_threshold: 2, half_open_timeout_secs: 60 });
  assert.equal(s!.resilience.rate_limit.respect_headers, true);
  assert.equal(s!.dedupe, undefined, 'no dedupe on a non-1Password source unless asked');
  assert.equal(s!.on_cursor_error, 'fail');
  assert.equal(s!.labelKey, 'source');
  assert.equal(s!.labelValue, 'src');
  assert.deepEqual(config.global.state, { backend: 'sqlite', path: './hel-state.db' });
  assert.equal(config.global.log_level, 'info');
  assert.deepEqual(config.global.api, { enabled: false, address: '127.0.0.1', port: 8080 });
  assert.deepEqual(config.warnings, []);
});

void test('partial blocks keep their other defaults; dedupe without capacity gets 100000', () => {
  const yaml = 'sources:\n  src:\n    url: https://a.example/\n    resilience:\n      retries:\n        max_attempts: 7\n      circuit_breaker: {}\n    dedupe:\n      id_path: id\n';
  const [s] = parse(yaml).sources;
  assert.equal(s!.resilience.retries.max_attempts, 7);
  assert.equal(s!.resilience.retries.max_backoff_secs, 60);
  assert.equal(s!.resilience.circuit_breaker.enabled, true);
  assert.equal(s!.resilience.timeout_secs, 30);
  assert.deepEqual(s!.dedupe, { id_path: 'id', capacity: 100_000 });
});

void test('env expansion retypes plain scalars, keeps quoted ones strings, and leaves comments alone', () => {
  const yaml = [
    '# ${NOT_SET_IN_A_COMMENT} is never expanded',
    'global:',
    '  api:',
    '    enabled: ${API_ON}',
    '    port: ${PORT}',
    'sources:',
    '  src:  # ${ALSO_NOT_SET}',
    '    url: ${BASE:-https://fallback.example}/events',
    '    headers:',
    '      X-Count: "${COUNT}"',
    '    query_params:',
    '      price: $${literal}',
    '      dollars: US$$5',
    '    schedule:',
    '      interval_secs: ${IVL}',
    '',
  ].join('\n');
  const config = parse(yaml, { API_ON: 'true', PORT: '9000', COUNT: '42', IVL: '120' });
  const [s] = config.sources;
  assert.equal(s!.schedule.interval_secs, 120);
  assert.equal(config.global.api.enabled, true);
  assert.equal(config.global.api.port, 9000);
  assert.equal(s!.headers['X-Count'], '42');
  assert.equal(s!.url, 'https://fallback.example/events');
  assert.deepEqual(s!.query_params, { price: '${literal}', dollars: 'US$5' });
});

void test('an expanded value that is not valid YAML on its own stays a string', () => {
  const [s] = parse('sources:\n  src:\n    url: https://a.example/\n    query_params:\n      q: ${Q}\n', { Q: '[unclosed: {' }).sources;
  assert.equal(s!.query_params.q, '[unclosed: {');
});

void test('an unset variable is one issue, located at its value', () => {
  assert.deepEqual(issuesOf('sources:\n  src:\n    url: https://a.example/\n    schedule:\n      interval_secs: ${IVL}\n'), [
    { file: 'hel.yaml', line: 5, column: 22, path: 'sources.src.schedule.interval_secs', message: 'environment variable IVL is not set', hint: 'export IVL, or write ${IVL:-default}' },
  ]);
});

void test('the short form expands to three sources with distinct labels and the seed defaults', () => {
  const config = parse('sources:\n  acme:\n    type: onepassword\n    region: com\n', { ONEPASSWORD_EVENTS_TOKEN: TOKEN });
  assert.deepEqual(
    config.sources.map((s) => s.name),
    ['acme-auditevents', 'acme-signinattempts', 'acme-itemusages'],
  );
  assert.equal(new Set(config.sources.map((s) => `${s.labelKey}=${s.labelValue}`)).size, 3);
  for (const s of config.sources) {
    assert.equal(s.method, 'post');
    assert.match(s.url, /^https:\/\/events\.1password\.com\/api\/v2\/(auditevents|signinattempts|itemusages)$/);
    assert.equal(s.pagination.strategy, 'cursor');
    assert.deepEqual(s.body, { limit: 1000 });
    assert.deepEqual(s.schedule, { interval_secs: 300, jitter_secs: 30 });
    assert.deepEqual(s.dedupe, { id_path: 'uuid', capacity: 100_000 });
    assert.equal(s.auth?.type === 'bearer' ? s.auth.token_env : undefined, 'ONEPASSWORD_EVENTS_TOKEN');
    assert.equal(s.onepassword?.entry, 'acme');
  }
  assert.equal(new Set(config.sources.map((s) => s.resilience.rate_limit.budget)).size, 1, 'one shared budget for the account');
});

void test('short form: api_version v1, profile compliance, streams and start_time', () => {
  const yaml = 'sources:\n  acme:\n    type: onepassword\n    region: ca\n    api_version: v1\n    profile: compliance\n    streams: [itemusages]\n    start_time: "2026-05-01T00:00:00Z"\n';
  const config = parse(yaml, { ONEPASSWORD_EVENTS_TOKEN: TOKEN });
  assert.equal(config.sources.length, 1);
  const [s] = config.sources;
  assert.equal(s!.url, 'https://events.1password.ca/api/v1/itemusages');
  assert.equal(s!.schedule.interval_secs, 21_600);
  assert.equal(s!.onepassword?.apiVersion, 'v1');
  assert.deepEqual(s!.body, { limit: 1000, start_time: '2026-05-01T00:00:00Z' });
});

void test("short form: region derived from the token's aud when omitted", () => {
  const token = fakeEventsToken({ aud: ['events.1password.eu'], exp: NOW / 1000 + 365 * 86_400 });
  const config = parse('sources:\n  acme:\n    type: onepassword\n', { ONEPASSWORD_EVENTS_TOKEN: token });
  for (const s of config.sources) assert.match(s.url, /^https:\/\/events\.1password\.eu\/api\/v2\//);
  assert.deepEqual(config.warnings, []);
});

void test('short form: a region that contradicts the token is a warning', () => {
  const token = fakeEventsToken({ aud: ['events.1password.eu'] });
  const config = parse('sources:\n  acme:\n    type: onepassword\n    region: com\n', { ONEPASSWORD_EVENTS_TOKEN: token });
  assert.equal(config.sources[0]!.url, 'https://events.1password.com/api/v2/auditevents');
  assert.equal(config.warnings.length, 1);
  assert.match(config.warnings[0]!, /wrong region: this token belongs to events\.1password\.eu, but region is com/);
});

void test('short form: a token expiring in 5 days is a warning', () => {
  const token = fakeEventsToken({ aud: ['events.1password.com'], exp: NOW / 1000 + 5 * 86_400 });
  const config = parse('sources:\n  acme:\n    type: onepassword\n', { ONEPASSWORD_EVENTS_TOKEN: token });
  assert.deepEqual(config.warnings, ['source acme: the bearer token expires in 5 day(s): rotate it before its expiry date']);
});

void test('short form: without requireSecrets (replay) no token is needed and the region defaults to com', () => {
  const config = parse('sources:\n  acme:\n    type: onepassword\n', {}, false);
  assert.equal(config.sources[0]!.url, 'https://events.1password.com/api/v2/auditevents');
});

void test('explicit 1Password URL sources get dedupe on uuid and the shared budget by default', () => {
  const signin =
    'sources:\n' +
    SEED_CONFIG.replace(/^sources:\n/, '') +
    '  1password-signin:\n    url: https://events.1password.com/api/v2/signinattempts\n    method: post\n    auth:\n      type: bearer\n      token_env: ONEPASSWORD_EVENTS_TOKEN\n    pagination:\n      strategy: cursor\n      cursor_param: cursor\n      cursor_path: cursor\n  other:\n    url: https://a.example/\n';
  const config = parse(signin, { ONEPASSWORD_EVENTS_TOKEN: TOKEN });
  const [audit, signinSource, other] = config.sources;
  for (const s of [audit!, signinSource!]) {
    assert.deepEqual(s.dedupe, { id_path: 'uuid', capacity: 100_000 });
    assert.equal(s.timestamp_path, 'timestamp');
    assert.equal(s.resilience.rate_limit.budget, 'onepassword:events.1password.com:env:ONEPASSWORD_EVENTS_TOKEN');
    assert.equal(s.resilience.rate_limit.max_requests_per_minute, 600);
    assert.equal(s.resilience.rate_limit.max_requests_per_hour, 30_000);
  }
  assert.equal(other!.dedupe, undefined);
  assert.equal(other!.resilience.rate_limit.budget, undefined);
});

void test('an explicit dedupe and budget on a 1Password source are kept', () => {
  const yaml = SEED_CONFIG + '    dedupe:\n      id_path: "uuid"\n      capacity: 10000\n';
  const withBudget = yaml.replace('        page_delay_secs: 1\n', '        page_delay_secs: 1\n        budget: mine\n');
  const [s] = parse(withBudget, { ONEPASSWORD_EVENTS_TOKEN: TOKEN }).sources;
  assert.deepEqual(s!.dedupe, { id_path: 'uuid', capacity: 10_000 });
  assert.equal(s!.resilience.rate_limit.budget, 'mine');
});

void test('issues carry file, line, column, key path and hint, in file order', () => {
  const issues = issuesOf('sources:\n  b:\n    url: https://b.example/\n    metod: post\n  a:\n    url: nowhere\n');
  assert.deepEqual(issues, [
    { file: 'hel.yaml', line: 4, column: 5, path: 'sources.b.metod', message: 'unknown key', hint: 'did you mean "method"?' },
    {
      file: 'hel.yaml',
      line: 6,
      column: 10,
      path: 'sources.a.url',
      message: 'a string of 7 characters (not shown: it may be a secret) is not a valid http(s) URL',
      hint: 'write the full URL with its scheme, e.g. https://events.1password.com/api/v2/auditevents',
    },
  ]);
});

test('a variable set to the empty string is set (Tailscale: an empty basic-auth password)', () => {
  const yaml = 'sources:\n  ts:\n    url: "https://api.example.com/logs?start=${START}"\n    auth: { type: basic, user_env: TS_KEY, password_env: TS_PASSWORD }\n';
  const config = parseConfig(yaml, 'hel.yaml', { env: { START: '', TS_KEY: 'tskey-api-x', TS_PASSWORD: '' } });
  assert.equal(config.sources[0]!.url, 'https://api.example.com/logs?start=');
  assert.equal(parseConfig('sources:\n  s:\n    url: "${U:-https://a.example/x}"\n', 'hel.yaml', { env: { U: '' } }).sources[0]!.url, 'https://a.example/x', ':- still replaces an empty value');
});

test("a short form's key hints come from its own integration: Slack's limit does not get 1Password's", () => {
  const issuesOf = (yaml: string): ConfigIssue[] => {
    try {
      parseConfig(yaml, 'hel.yaml', { env: { SLACK_AUDIT_TOKEN: 'xoxp-1', ONEPASSWORD_EVENTS_TOKEN: 'x' } });
    } catch (err) {
      if (isConfigError(err)) return err.issues;
      throw err;
    }
    return [];
  };
  const slack = issuesOf('sources:\n  s:\n    type: slack\n    limit: 20000\n');
  assert.equal(slack.length, 1);
  assert.doesNotMatch(slack[0]!.hint ?? '', /Events API/);
  const op = issuesOf('sources:\n  o:\n    type: onepassword\n    region: us\n');
  assert.match(op[0]!.hint ?? '', /sign-in address/);
});
