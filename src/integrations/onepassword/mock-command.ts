import { HelError } from '../../errors.js';
import type { MockCommand } from '../integration.js';
import { parseFaultList, startOnePasswordMock, type MockRequestRecord } from './mock/server.js';

/** `hel mock onepassword`: the fake Events API with its backlog, faults, live growth and rate limits. */
export const onePasswordMockCommand: MockCommand = {
  description: 'fake 1Password Events API (v1/v2 audit events, sign-in attempts, item usages, v3 beta audit events, introspect)',
  options: [
    { flags: '--events <n>', description: 'initial backlog per stream, spread over the last 48 hours', default: '200' },
    { flags: '--seed <seed>', description: 'same seed, same data; tokens and cursors stay valid across restarts' },
    { flags: '--faults <list>', description: 'inject faults, e.g. 500:3,reset:1,slow:5000,garbage:1,429:2' },
    { flags: '--rate-limit-headers', description: 'send RateLimit-* headers and Retry-After on 429' },
    { flags: '--live <n>', description: 'new events per stream per minute', default: '0' },
    { flags: '--strict', description: 'answer 400 when a cursor comes with limit/start_time/end_time' },
  ],
  async start(opts, log) {
    const server = await startOnePasswordMock({
      port: integerOption('--port', String(opts.port), 0, 65_535),
      host: String(opts.host),
      events: integerOption('--events', String(opts.events), 0, 1_000_000),
      ...(opts.seed === undefined ? {} : { seed: String(opts.seed) }),
      ...(opts.faults === undefined ? {} : { faults: parseFaultList(String(opts.faults)) }),
      rateLimitHeaders: opts.rateLimitHeaders === true,
      liveEventsPerMinute: integerOption('--live', String(opts.live ?? '0'), 0, 60_000),
      strict: opts.strict === true,
      keepRequests: 1000,
      ...(log ? { onRequest: (r: MockRequestRecord) => log(requestLine(r)) } : {}),
    });
    return {
      url: server.url,
      banner: [
        `1Password Events API mock listening on ${server.url}`,
        `token: ${server.token}`,
        `token verification key (ES256 JWK): ${JSON.stringify(server.publicJwk)}`,
        '',
        'try it:',
        `  export ONEPASSWORD_EVENTS_TOKEN=${server.token}`,
        '  # and in hel.yaml, a source of type onepassword pointing at the mock:',
        '  #   type: onepassword',
        `  #   base_url: ${server.url}`,
        `  curl -s -X POST -H "Authorization: Bearer $ONEPASSWORD_EVENTS_TOKEN" -d '{"limit":5}' ${server.url}/api/v2/auditevents`,
      ],
      close: () => server.close(),
    };
  },
};

function integerOption(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new HelError('HEL_USAGE', `${flag} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function requestLine(record: MockRequestRecord): string {
  const details = [record.items === undefined ? undefined : `${record.items} items`, record.fault && `fault ${record.fault}`, record.reason].filter(Boolean);
  return `${record.method} ${record.path} ${record.status === 0 ? 'reset' : record.status}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
