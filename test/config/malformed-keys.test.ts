import { test } from 'node:test';
import { runCases, type Case } from '../helpers/validate-cli.js';

/** Lines 1-3: one valid source; keys added after it start on line 4. */
const SRC = 'sources:\n  src:\n    url: https://a.example/\n';
const SOURCE_KEYS =
  'url, method, body, headers, query_params, schedule, auth, pagination, resilience, dedupe, source_label_key, source_label_value, response_events_path, timestamp_path, no_events_alert_hours, incremental_from, time_window, max_response_bytes, max_bytes, on_cursor_error, cursor_reset, output_format, transform, from, from_param, state, on_parse_error, on_invalid_utf8, max_line_bytes, max_line_bytes_behavior, checkpoint, on_state_write_error, response_event_object_path, response_streaming, priority, hooks';
const typo = (path: string, at: string, suggestion: string) => `hel.yaml:${at} ${path}: unknown key (did you mean "${suggestion}"?)`;

const cases: Case[] = [
  { name: 'global', yaml: `global:\n  log_levle: debug\n${SRC}`, problems: [typo('global.log_levle', '2:3', 'log_level')] },
  { name: 'global.state', yaml: `global:\n  state:\n    bakend: memory\n${SRC}`, problems: [typo('global.state.bakend', '3:5', 'backend')] },
  { name: 'global.api', yaml: `global:\n  api:\n    enabeld: true\n${SRC}`, problems: [typo('global.api.enabeld', '3:5', 'enabled')] },
  { name: 'global.output', yaml: `global:\n  output:\n    fromat: raw\n${SRC}`, problems: [typo('global.output.fromat', '3:5', 'format')] },
  { name: 'global.metrics', yaml: `global:\n  metrics:\n    adress: 0.0.0.0\n${SRC}`, problems: [typo('global.metrics.adress', '3:5', 'address')] },
  { name: 'global.secrets', yaml: `global:\n  secrets:\n    keyfile: ./k\n${SRC}`, problems: [typo('global.secrets.keyfile', '3:5', 'key_file')] },
  { name: 'top level', yaml: `globals:\n  log_level: info\n${SRC}`, problems: [typo('globals', '1:1', 'global')] },
  { name: 'source', yaml: `${SRC}    metod: post\n`, problems: [typo('sources.src.metod', '4:5', 'method')] },
  {
    name: 'source, no close match: lists the valid keys',
    yaml: `${SRC}    colour: red\n`,
    problems: [`hel.yaml:4:5 sources.src.colour: unknown key (valid keys: ${SOURCE_KEYS})`],
  },
  { name: 'schedule (a shortened key)', yaml: `${SRC}    schedule:\n      interval: 60\n`, problems: [typo('sources.src.schedule.interval', '5:7', 'interval_secs')] },
  {
    name: 'auth bearer',
    yaml: `${SRC}    auth:\n      type: bearer\n      token_evn: TOKEN\n`,
    problems: [typo('sources.src.auth.token_evn', '6:7', 'token_env')],
  },
  {
    name: 'auth basic',
    yaml: `${SRC}    auth:\n      type: basic\n      username_env: USER\n`,
    problems: [typo('sources.src.auth.username_env', '6:7', 'user_env')],
  },
  {
    name: 'auth api_key: the misspelt required key is reported once',
    yaml: `${SRC}    auth:\n      type: api_key\n      headr: X-Api-Key\n      key_env: KEY\n`,
    problems: [typo('sources.src.auth.headr', '6:7', 'header')],
  },
  {
    name: 'auth oauth2',
    yaml: `${SRC}    auth:\n      type: oauth2\n      token_url: https://auth.example/token\n      client_id_evn: CID\n      client_secret_env: CS\n`,
    problems: [typo('sources.src.auth.client_id_evn', '7:7', 'client_id_env')],
  },
  {
    name: 'pagination cursor',
    yaml: `${SRC}    pagination:\n      strategy: cursor\n      cursor_param: cursor\n      cursor_pth: cursor\n`,
    problems: [typo('sources.src.pagination.cursor_pth', '7:7', 'cursor_path')],
  },
  {
    name: 'pagination link_header',
    yaml: `${SRC}    pagination:\n      strategy: link_header\n      rell: next\n`,
    problems: [typo('sources.src.pagination.rell', '6:7', 'rel')],
  },
  {
    name: 'pagination next_url',
    yaml: `${SRC}    pagination:\n      strategy: next_url\n      next_url_pth: links.next\n`,
    problems: [typo('sources.src.pagination.next_url_pth', '6:7', 'next_url_path')],
  },
  {
    name: 'pagination page: unknown key and the missing limit',
    yaml: `${SRC}    pagination:\n      strategy: page\n      page_size: 100\n`,
    problems: [
      'hel.yaml:5:7 sources.src.pagination.limit: required key is missing: expected a number',
      'hel.yaml:6:7 sources.src.pagination.page_size: unknown key (valid keys: strategy, page_param, limit_param, limit, first_page, max_pages)',
    ],
  },
  {
    name: 'pagination offset',
    yaml: `${SRC}    pagination:\n      strategy: offset\n      offest_param: skip\n      limit: 50\n`,
    problems: [typo('sources.src.pagination.offest_param', '6:7', 'offset_param')],
  },
  {
    name: 'pagination none',
    yaml: `${SRC}    pagination:\n      strategy: none\n      max_pages: 5\n`,
    problems: ['hel.yaml:6:7 sources.src.pagination.max_pages: unknown key (valid keys: strategy)'],
  },
  { name: 'resilience', yaml: `${SRC}    resilience:\n      timeout: 10\n`, problems: [typo('sources.src.resilience.timeout', '5:7', 'timeouts')] },
  {
    name: 'retries, no close match',
    yaml: `${SRC}    resilience:\n      retries:\n        max_retries: 3\n`,
    problems: ['hel.yaml:6:9 sources.src.resilience.retries.max_retries: unknown key (valid keys: max_attempts, initial_backoff_secs, max_backoff_secs, multiplier, jitter, retryable_status_codes)'],
  },
  {
    name: 'circuit_breaker',
    yaml: `${SRC}    resilience:\n      circuit_breaker:\n        failure_treshold: 3\n`,
    problems: [typo('sources.src.resilience.circuit_breaker.failure_treshold', '6:9', 'failure_threshold')],
  },
  {
    name: 'rate_limit',
    yaml: `${SRC}    resilience:\n      rate_limit:\n        requests_per_minute: 60\n`,
    problems: [typo('sources.src.resilience.rate_limit.requests_per_minute', '6:9', 'max_requests_per_minute')],
  },
  {
    name: 'dedupe: unknown key and the missing id_path',
    yaml: `${SRC}    dedupe:\n      id_field: uuid\n`,
    problems: ['hel.yaml:5:7 sources.src.dedupe.id_field: unknown key (valid keys: id_path, capacity)', 'hel.yaml:5:7 sources.src.dedupe.id_path: required key is missing: expected a string'],
  },
  { name: 'cursor_reset', yaml: `${SRC}    cursor_reset:\n      overlap: 60\n`, problems: [typo('sources.src.cursor_reset.overlap', '5:7', 'overlap_secs')] },
  {
    name: 'onepassword short form',
    yaml: 'sources:\n  op:\n    type: onepassword\n    regoin: eu\n    stream: [auditevents]\n',
    env: { ONEPASSWORD_EVENTS_TOKEN: 'ops_test' },
    problems: [typo('sources.op.regoin', '4:5', 'region'), typo('sources.op.stream', '5:5', 'streams')],
  },
  {
    name: 'onepassword short form schedule',
    yaml: 'sources:\n  op:\n    type: onepassword\n    region: eu\n    schedule:\n      interval: 600\n',
    env: { ONEPASSWORD_EVENTS_TOKEN: 'ops_test' },
    problems: [typo('sources.op.schedule.interval', '6:7', 'interval_secs')],
  },
  {
    name: 'a misspelt source type',
    yaml: 'sources:\n  op:\n    type: onepasword\n    region: eu\n',
    problems: ['hel.yaml:3:11 sources.op.type: unknown source type "onepasword"; the types are onepassword, okta, github, slack, tailscale, google_workspace (did you mean "onepassword"?)'],
  },
  {
    name: 'unknown keys at several levels are all reported, in file order',
    yaml: `global:\n  log_levle: debug\n${SRC}    metod: post\n    schedule:\n      interval_sec: 5\n`,
    problems: [typo('global.log_levle', '2:3', 'log_level'), typo('sources.src.metod', '6:5', 'method'), typo('sources.src.schedule.interval_sec', '8:7', 'interval_secs')],
  },
];

void test('unknown keys at every level, with did-you-mean', { concurrency: 4 }, async (t) => {
  await runCases(t, cases);
});
