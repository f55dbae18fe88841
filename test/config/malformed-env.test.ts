import { test } from 'node:test';
import { runCases, type Case } from '../helpers/validate-cli.js';
import { SEED_CONFIG, fakeEventsToken, onePasswordSource } from '../helpers/config-fixtures.js';

const TOKEN = { ONEPASSWORD_EVENTS_TOKEN: 'ops_not_a_jwt' };
const EXPORT_HINT = 'export the bearer token from your Events Reporting integration';
const LIMIT_HINT = 'the Events API accepts 1-1000 and answers 400 otherwise; use limit: 1000 for the fewest requests';
const START_HINT = 'an RFC 3339 time such as "2025-01-01T00:00:00Z", or a start relative to now such as -30d, -12h';
const shortForm = (lines: string) => `sources:\n  op:\n    type: onepassword\n${lines}`;

const cases: Case[] = [
  {
    name: 'an unset ${VAR} names the variable',
    yaml: 'sources:\n  src:\n    url: ${BASE_URL}/events\n',
    env: { BASE_URL: undefined },
    problems: ['hel.yaml:3:10 sources.src.url: environment variable BASE_URL is not set (export BASE_URL, or write ${BASE_URL:-default})'],
  },
  {
    name: 'an unset ${VAR} in a number is reported once, not again as a type error',
    yaml: 'sources:\n  src:\n    url: https://a.example/\n    schedule:\n      interval_secs: ${IVL}\n',
    env: { IVL: undefined },
    problems: ['hel.yaml:5:22 sources.src.schedule.interval_secs: environment variable IVL is not set (export IVL, or write ${IVL:-default})'],
  },
  {
    name: 'a ${VAR} that expands to the wrong type',
    yaml: 'sources:\n  src:\n    url: https://a.example/\n    schedule:\n      interval_secs: ${IVL}\n',
    env: { IVL: 'often' },
    problems: ['hel.yaml:5:22 sources.src.schedule.interval_secs: expected a number, got a string of 5 characters (not shown: it may be a secret)'],
  },
  {
    name: 'an unset ${VAR} inside a list',
    yaml: shortForm('    region: com\n    streams: [auditevents, "${EXTRA_STREAM}"]\n'),
    env: { ...TOKEN, EXTRA_STREAM: undefined },
    problems: ['hel.yaml:5:28 sources.op.streams.1: environment variable EXTRA_STREAM is not set (export EXTRA_STREAM, or write ${EXTRA_STREAM:-default})'],
  },
  {
    name: 'seed source with ONEPASSWORD_EVENTS_TOKEN unset: the seed troubleshooting message',
    yaml: SEED_CONFIG,
    problems: [`hel.yaml:11:18 sources.1password-audit.auth.token_env: ONEPASSWORD_EVENTS_TOKEN is not set (${EXPORT_HINT})`],
  },
  {
    name: 'seed source with ONEPASSWORD_EVENTS_TOKEN empty',
    yaml: SEED_CONFIG,
    env: { ONEPASSWORD_EVENTS_TOKEN: '' },
    problems: [`hel.yaml:11:18 sources.1password-audit.auth.token_env: ONEPASSWORD_EVENTS_TOKEN is empty (${EXPORT_HINT})`],
  },
  {
    name: 'short form with the token unset: one problem, no region noise',
    yaml: shortForm(''),
    problems: [`hel.yaml:3:5 sources.op.token_env: ONEPASSWORD_EVENTS_TOKEN is not set (${EXPORT_HINT})`],
  },
  {
    name: 'short form with a custom token_env unset',
    yaml: shortForm('    region: eu\n    token_env: OP_EU_TOKEN\n'),
    env: { OP_EU_TOKEN: undefined },
    problems: [`hel.yaml:5:16 sources.op.token_env: OP_EU_TOKEN is not set (${EXPORT_HINT})`],
  },
  {
    name: 'token_file that does not exist',
    yaml: 'sources:\n  src:\n    url: https://a.example/\n    auth:\n      type: bearer\n      token_file: /nonexistent/hel-token\n',
    problems: ['hel.yaml:6:19 sources.src.auth.token_file: file /nonexistent/hel-token does not exist (create it with the bearer token, or use token_env)'],
  },
  {
    name: 'short form token_file that does not exist',
    yaml: shortForm('    region: com\n    token_file: /nonexistent/hel-token\n'),
    problems: ['hel.yaml:5:17 sources.op.token_file: cannot read bearer token from /nonexistent/hel-token (ENOENT) (save the bearer token from your Events Reporting integration in that file)'],
  },
  {
    name: 'short form without region and a token that is not a JWT',
    yaml: shortForm(''),
    env: TOKEN,
    problems: ['hel.yaml:3:5 sources.op.region: region is not set and cannot be derived from the token (set region: com, ca, eu or ent, as in your sign-in address: start.1password.eu is eu)'],
  },
  {
    name: 'short form: bad region',
    yaml: shortForm('    region: us\n'),
    env: TOKEN,
    problems: [
      'hel.yaml:4:13 sources.op.region: the string "us" is not one of: com, ca, eu, ent (the end of your sign-in address: start.1password.com is com, .ca is ca, .eu is eu, ent.1password.com is ent)',
    ],
  },
  {
    name: 'short form: bad stream and profile',
    yaml: shortForm('    region: com\n    streams: [auditevent]\n    profile: complience\n'),
    env: TOKEN,
    problems: [
      'hel.yaml:5:15 sources.op.streams.0: the string "auditevent" is not one of: auditevents, signinattempts, itemusages (did you mean "auditevents"?)',
      'hel.yaml:6:14 sources.op.profile: the string "complience" is not one of: siem, compliance (did you mean "compliance"?)',
    ],
  },
  {
    name: 'short form: limit 1001',
    yaml: shortForm('    region: com\n    limit: 1001\n'),
    env: TOKEN,
    problems: [`hel.yaml:5:12 sources.op.limit: 1001 is too big: must be at most 1000 (${LIMIT_HINT})`],
  },
  {
    name: 'short form: start_time not RFC 3339',
    yaml: shortForm('    region: com\n    start_time: 2025-13-01\n'),
    env: TOKEN,
    problems: [`hel.yaml:5:17 sources.op.start_time: start_time "2025-13-01" is not an RFC 3339 time (${START_HINT})`],
  },
  {
    name: 'seed pattern: body.limit 1001',
    yaml: onePasswordSource('      limit: 1001\n'),
    env: TOKEN,
    problems: ['hel.yaml:6:14 sources.1password-audit.body.limit: limit 1001 is out of range: the Events API accepts 1-1000 and answers 400 otherwise (use limit: 1000 for the fewest requests)'],
  },
  {
    name: 'seed pattern: start_time not RFC 3339',
    yaml: onePasswordSource('      start_time: yesterday\n'),
    env: TOKEN,
    problems: ['hel.yaml:6:19 sources.1password-audit.body.start_time: start_time "yesterday" is not an RFC 3339 time (e.g. "2025-01-01T00:00:00Z")'],
  },
  {
    name: 'seed pattern: start_time after end_time',
    yaml: onePasswordSource(`      start_time: "${new Date(Date.now() - 86_400_000).toISOString()}"\n      end_time: "${new Date(Date.now() - 2 * 86_400_000).toISOString()}"\n`),
    env: TOKEN,
    problems: ['hel.yaml:6:19 sources.1password-audit.body.start_time: start_time is after end_time'],
  },
  {
    name: 'all problems of a file at once: 5 problems, 5 lines, in file order',
    yaml: [
      'global:',
      '  log_level: loud',
      'sources:',
      '  a:',
      '    url: https://a.example/',
      '    metod: post',
      '  b:',
      '    url: ${B_URL}',
      '  c:',
      '    url: https://c.example/',
      '    schedule:',
      '      interval_secs: 0',
      '  d:',
      '    url: https://d.example/',
      '    max_response_bytes: 0',
      '',
    ].join('\n'),
    env: { B_URL: undefined },
    problems: [
      'hel.yaml:2:14 global.log_level: the string "loud" is not one of: trace, debug, info, warn, error, silent',
      'hel.yaml:6:5 sources.a.metod: unknown key (did you mean "method"?)',
      'hel.yaml:8:10 sources.b.url: environment variable B_URL is not set (export B_URL, or write ${B_URL:-default})',
      'hel.yaml:12:22 sources.c.schedule.interval_secs: 0 is too small: must be greater than 0',
      'hel.yaml:15:25 sources.d.max_response_bytes: 0 is too small: must be greater than 0',
    ],
  },
  {
    name: 'a source with a schema error still has its token checked in the same run',
    yaml: SEED_CONFIG.replace('cursor_path: cursor', 'cursor_pth: cursor'),
    problems: [
      `hel.yaml:11:18 sources.1password-audit.auth.token_env: ONEPASSWORD_EVENTS_TOKEN is not set (${EXPORT_HINT})`,
      'hel.yaml:18:7 sources.1password-audit.pagination.cursor_pth: unknown key (did you mean "cursor_path"?)',
    ],
  },
  {
    name: 'a broken method does not produce a guessed GET-with-body problem',
    yaml: 'sources:\n  src:\n    url: https://a.example/\n    method: put\n    body: {a: 1}\n    auth:\n      type: bearer\n      token_env: SRC_TOKEN\n',
    env: { SRC_TOKEN: undefined },
    problems: [
      'hel.yaml:4:13 sources.src.method: the string "put" is not one of: get, post',
      'hel.yaml:8:18 sources.src.auth.token_env: SRC_TOKEN is not set (export SRC_TOKEN with the bearer token)',
    ],
  },
  {
    name: 'an expired short-form token is a warning, not an error, but a bad start_time still fails',
    yaml: shortForm('    start_time: soon\n'),
    env: { ONEPASSWORD_EVENTS_TOKEN: fakeEventsToken({ aud: ['events.1password.ca'], exp: Math.floor(Date.now() / 1000) - 86_400 }) },
    problems: [`hel.yaml:4:17 sources.op.start_time: start_time "soon" is not an RFC 3339 time (${START_HINT})`],
  },
];

void test('environment, secrets and 1Password checks; every problem at once', { concurrency: 4 }, async (t) => {
  await runCases(t, cases);
});
