import type { Command } from 'commander';
import { HelError } from '../../errors.js';
import { integrations } from '../../integrations/registry.js';

const DEFAULT_MOCK_PORT = 8787;

/** `hel mock <type>`: one subcommand per integration that bundles a fake of its API. */
export function registerMockCommand(program: Command): void {
  const mock = program.command('mock').description('run a local fake of a SaaS API to try Hel without credentials');
  for (const integration of integrations()) {
    const fake = integration.mock;
    if (fake === undefined) continue;
    const command = mock
      .command(integration.type)
      .description(fake.description)
      .option('--port <n>', 'port to listen on (0 picks a free one)', String(DEFAULT_MOCK_PORT))
      .option('--host <host>', 'interface to bind', '127.0.0.1');
    for (const option of fake.options) command.option(option.flags, option.description, option.default);
    command.option('-q, --quiet', 'do not log requests to stderr').action(async (opts: Record<string, string | boolean | undefined>) => {
      const port = portOption(String(opts.port));
      const host = String(opts.host);
      const log = opts.quiet === true ? undefined : (line: string) => process.stderr.write(line + '\n');
      const server = await fake.start({ ...opts, port: String(port) }, log).catch((err: unknown) => {
        throw listenError(err, host, port);
      });
      process.stdout.write([...server.banner, '', 'press Ctrl-C to stop', ''].join('\n'));
      await untilSignalled();
      await server.close();
    });
  }
}

function portOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65_535) throw new HelError('HEL_USAGE', `--port must be an integer from 0 to 65535, got "${value}"`);
  return n;
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new HelError('HEL_USAGE', `${host}:${port} is already in use`, { hint: 'stop what listens there, or pick another --port (0 picks a free one)' }, { cause: err });
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') return new HelError('HEL_USAGE', `cannot listen on ${host}:${port} (${code})`, { hint: 'check --host and --port' }, { cause: err });
  return err;
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
