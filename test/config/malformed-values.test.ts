import { test } from 'node:test';
import { runCases, type Case } from '../helpers/validate-cli.js';

/** Lines 1-3: one valid source; keys added after it start on line 4. */
const SRC = 'sources:\n  src:\n    url: https://a.example/\n';
const LOG_LEVELS = 'trace, debug, info, warn, error, silent';

const cases: Case[] = [
  { name: 'bad enum: log_level', yaml: `global:\n  log_level: verbose\n${SRC}`, problems: [`hel.yaml:2:14 global.log_level: the string "verbose" is not one of: ${LOG_LEVELS}`] },
  {
    name: 'bad enum with a near miss: log_level warning',
    yaml: `global:\n  log_level: warning\n${SRC}`,
    problems: [`hel.yaml:2:14 global.log_level: the string "warning" is not one of: ${LOG_LEVELS} (did you mean "warn"?)`],
  },
  { name: 'wrong type: global.state a string', yaml: `global:\n  state: memory\n${SRC}`, problems: ['hel.yaml:2:10 global.state: expected a map, got the string "memory"'] },
  {
    name: 'bad number: port 70000',
    yaml: `global:\n  api:\n    port: 70000\n${SRC}`,
    problems: ['hel.yaml:3:11 global.api.port: 70000 is too big: must be at most 65535 (a TCP port is 0-65535)'],
  },
  { name: 'wrong type: headers a list', yaml: `${SRC}    headers: [Accept]\n`, problems: ['hel.yaml:4:14 sources.src.headers: expected a map, got a list'] },
  {
    name: 'wrong type: a header value that is a number',
    yaml: `${SRC}    headers:\n      X-Page: 5\n`,
    problems: ['hel.yaml:5:15 sources.src.headers.X-Page: expected a string, got a number (quote it to make it a string)'],
  },
  {
    name: 'wrong type: a quoted number',
    yaml: `${SRC}    schedule:\n      interval_secs: "300"\n`,
    problems: ['hel.yaml:5:22 sources.src.schedule.interval_secs: expected a number, got the string "300" (remove the quotes: a quoted value is a string)'],
  },
  {
    name: 'bad number: negative interval',
    yaml: `${SRC}    schedule:\n      interval_secs: -5\n`,
    problems: ['hel.yaml:5:22 sources.src.schedule.interval_secs: -5 is too small: must be greater than 0'],
  },
  {
    name: 'bad numbers: negative max_attempts and multiplier 0.5',
    yaml: `${SRC}    resilience:\n      retries:\n        max_attempts: -1\n        multiplier: 0.5\n`,
    problems: [
      'hel.yaml:6:23 sources.src.resilience.retries.max_attempts: -1 is too small: must be at least 0',
      'hel.yaml:7:21 sources.src.resilience.retries.multiplier: 0.5 is too small: must be at least 1',
    ],
  },
  {
    name: 'bad number: a fraction where a whole number is needed',
    yaml: `${SRC}    resilience:\n      retries:\n        max_attempts: 2.5\n`,
    problems: ['hel.yaml:6:23 sources.src.resilience.retries.max_attempts: 2.5 is not a whole number'],
  },
  {
    name: 'bad number: jitter above 1',
    yaml: `${SRC}    resilience:\n      retries:\n        jitter: 1.5\n`,
    problems: ['hel.yaml:6:17 sources.src.resilience.retries.jitter: 1.5 is too big: must be at most 1'],
  },
  {
    name: 'initial_backoff_secs greater than max_backoff_secs',
    yaml: `${SRC}    resilience:\n      retries:\n        initial_backoff_secs: 120\n        max_backoff_secs: 60\n`,
    problems: [
      'hel.yaml:6:31 sources.src.resilience.retries.initial_backoff_secs: initial_backoff_secs (120) is greater than max_backoff_secs (60) (raise max_backoff_secs or lower initial_backoff_secs)',
    ],
  },
  {
    name: 'wrong type: circuit_breaker: true',
    yaml: `${SRC}    resilience:\n      circuit_breaker: true\n`,
    problems: ['hel.yaml:5:24 sources.src.resilience.circuit_breaker: expected a map, got boolean true (write it as a map: circuit_breaker: { enabled: true })'],
  },
  {
    name: 'wrong type: yes for a boolean',
    yaml: `${SRC}    resilience:\n      rate_limit:\n        respect_headers: yes\n`,
    problems: ['hel.yaml:6:26 sources.src.resilience.rate_limit.respect_headers: expected true or false, got the string "yes" (write true or false)'],
  },
  {
    name: 'bad number: dedupe capacity 0',
    yaml: `${SRC}    dedupe:\n      id_path: uuid\n      capacity: 0\n`,
    problems: ['hel.yaml:6:17 sources.src.dedupe.capacity: 0 is too small: must be greater than 0'],
  },
  { name: 'bad enum: method put', yaml: `${SRC}    method: put\n`, problems: ['hel.yaml:4:13 sources.src.method: the string "put" is not one of: get, post'] },
  {
    name: 'bad enum: strategy curser',
    yaml: `${SRC}    pagination:\n      strategy: curser\n      cursor_param: cursor\n      cursor_path: cursor\n`,
    problems: [
      'hel.yaml:5:17 sources.src.pagination.strategy: unknown strategy "curser"; expected one of cursor, link_header, next_url, page, page_offset, offset, page_token, none (did you mean "cursor"?)',
    ],
  },
  {
    name: 'bad enum: auth type baerer',
    yaml: `${SRC}    auth:\n      type: baerer\n      token_env: TOKEN\n`,
    problems: ['hel.yaml:5:13 sources.src.auth.type: unknown type "baerer"; expected one of bearer, basic, api_key, oauth2, google_service_account (did you mean "bearer"?)'],
  },
  {
    name: 'bad enum: on_cursor_error',
    yaml: `${SRC}    on_cursor_error: restart\n`,
    problems: ['hel.yaml:4:22 sources.src.on_cursor_error: the string "restart" is not one of: fail, reset'],
  },
  { name: 'missing url', yaml: 'sources:\n  src:\n    method: get\n', problems: ['hel.yaml:3:5 sources.src.url: required key is missing: expected a string'] },
  {
    name: 'missing cursor_path',
    yaml: `${SRC}    pagination:\n      strategy: cursor\n      cursor_param: cursor\n`,
    problems: ['hel.yaml:5:7 sources.src.pagination.cursor_path: required key is missing: expected a string'],
  },
  {
    name: 'missing auth.type',
    yaml: `${SRC}    auth:\n      token_env: TOKEN\n`,
    problems: ['hel.yaml:5:7 sources.src.auth.type: required key is missing: expected one of bearer, basic, api_key, oauth2, google_service_account'],
  },
  {
    name: 'missing auth header for api_key',
    yaml: `${SRC}    auth:\n      type: api_key\n      key_env: KEY\n`,
    problems: ['hel.yaml:5:7 sources.src.auth.header: required key is missing: expected a string (the HTTP header that carries the key, e.g. header: X-Api-Key)'],
  },
  {
    name: 'bearer auth without a credential',
    yaml: `${SRC}    auth:\n      type: bearer\n`,
    problems: ['hel.yaml:5:7 sources.src.auth: bearer token is not configured (set one of token_env, token_file, token_secret)'],
  },
  {
    name: 'invalid URL without a scheme',
    yaml: 'sources:\n  src:\n    url: events.example.com/api\n',
    problems: [
      'hel.yaml:3:10 sources.src.url: a string of 22 characters (not shown: it may be a secret) is not a valid http(s) URL (write the full URL with its scheme, e.g. https://events.1password.com/api/v2/auditevents)',
    ],
  },
  {
    name: 'invalid URL scheme',
    yaml: 'sources:\n  src:\n    url: ftp://files.example.com/\n',
    problems: ['hel.yaml:3:10 sources.src.url: a string of 24 characters (not shown: it may be a secret) is not a valid http(s) URL'],
  },
  {
    name: 'a list body where pagination adds fields to it',
    yaml: `${SRC}    method: post\n    body: [1, 2]\n    pagination: { strategy: offset, limit: 10 }\n`,
    problems: [
      'hel.yaml:5:11 sources.src.body: pagination offset adds fields to the body, so it must be a JSON object, not a list (write body as a map, or use a pagination that does not add fields to it)',
    ],
  },
  {
    name: 'duplicate source labels',
    yaml: 'sources:\n  a:\n    url: https://a.example/\n    source_label_value: shared\n  b:\n    url: https://b.example/\n    source_label_value: shared\n',
    problems: ['hel.yaml:7:25 sources.b.source_label_value: label "shared" is also used by source a (give each source a distinct source_label_value so its events can be told apart)'],
  },
  {
    name: 'a source label equal to another source name',
    yaml: 'sources:\n  a:\n    url: https://a.example/\n  b:\n    url: https://b.example/\n    source_label_value: a\n',
    problems: ['hel.yaml:6:25 sources.b.source_label_value: label "a" is also used by source a (give each source a distinct source_label_value so its events can be told apart)'],
  },
];

void test('wrong types, bad enums and numbers, missing keys, cross-key checks', { concurrency: 4 }, async (t) => {
  await runCases(t, cases);
});
