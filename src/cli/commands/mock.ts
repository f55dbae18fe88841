import type { Command } from 'commander';
import { HelError } from '../../errors.js';
import { parseFaultList, startOnePasswordMock, type MockRequestRecord } from '../../integrations/onepassword/mock/server.js';

interface MockCommandOptions {
  port: string;
  host: string;
  events: string;
  seed?: string;
  faults?: string;
  rateLimitHeaders?: boolean;
  live?: string;
  strict?: boolean;
  quiet?: boolean;
}

export const DEFAULT_MOCK_PORT = 8787;

export function registerMockCommand(program: Command): void {
  const mock = program.command('mock').description('run a local fake of a SaaS API to try Hel without credentials');
  mock
    .command('onepassword')
    .description('fake 1Password Events API (v1/v2 audit events, sign-in attempts, item usages, introspect)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', String(DEFAULT_MOCK_PORT))
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--events <n>', 'initial backlog per stream, spread over the last 48 hours', '200')
    .option('--seed <seed>', 'same seed, same data; tokens and cursors stay valid across restarts')
    .option('--faults <list>', 'inject faults, e.g. 500:3,reset:1,slow:5000,garbage:1,429:2')
    .option('--rate-limit-headers', 'send RateLimit-* headers and Retry-After on 429')
    .option('--live <n>', 'new events per stream per minute', '0')
    .option('--strict', 'answer 400 when a cursor comes with limit/start_time/end_time')
    .option('-q, --quiet', 'do not log requests to stderr')
    .action(async (opts: MockCommandOptions) => {
      const port = integerOption('--port', opts.port, 0, 65_535);
      const server = await startOnePasswordMock({
        port,
        host: opts.host,
        events: integerOption('--events', opts.events, 0, 1_000_000),
        ...(opts.seed === undefined ? {} : { seed: opts.seed }),
        ...(opts.faults === undefined ? {} : { faults: parseFaultList(opts.faults) }),
        rateLimitHeaders: opts.rateLimitHeaders === true,
        liveEventsPerMinute: integerOption('--live', opts.live ?? '0', 0, 60_000),
        strict: opts.strict === true,
        keepRequests: 1000,
        ...(opts.quiet ? {} : { onRequest: logRequest }),
      }).catch((err: unknown) => {
        throw listenError(err, opts.host, port);
      });
      process.stdout.write(
        [
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
          '',
          'press Ctrl-C to stop',
          '',
        ].join('\n'),
      );
      await untilSignalled();
      await server.close();
    });
}

function integerOption(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new HelError('HEL_USAGE', `${flag} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new HelError('HEL_USAGE', `${host}:${port} is already in use`, { hint: 'stop what listens there, or pick another --port (0 picks a free one)' }, { cause: err });
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') return new HelError('HEL_USAGE', `cannot listen on ${host}:${port} (${code})`, { hint: 'check --host and --port' }, { cause: err });
  return err;
}

function logRequest(record: MockRequestRecord): void {
  const details = [
    record.items === undefined ? undefined : `${record.items} items`,
    record.fault && `fault ${record.fault}`,
    record.reason,
  ].filter(Boolean);
  process.stderr.write(`${record.method} ${record.path} ${record.status === 0 ? 'reset' : record.status}${details.length > 0 ? ` (${details.join(', ')})` : ''}\n`);
}

function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
