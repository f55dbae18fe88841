import { Command, CommanderError } from 'commander';
import { reportError } from './report-error.js';
import { ExitCode } from '../errors.js';
import { VERSION } from '../version.js';

type Register = (program: Command) => void;

/**
 * One module per command under cli/commands/, in help order. They load on demand: `hel validate`
 * must not pay for SQLite, undici and pino, which the other commands pull in.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./commands/validate.js')).registerValidateCommand,
  schema: async () => (await import('./commands/schema.js')).registerSchemaCommand,
  run: async () => (await import('./commands/run.js')).registerRunCommand,
  test: async () => (await import('./commands/test.js')).registerTestCommand,
  state: async () => (await import('./commands/state.js')).registerStateCommand,
  secrets: async () => (await import('./commands/secrets.js')).registerSecretsCommand,
  report: async () => (await import('./commands/report.js')).registerReportCommand,
  mock: async () => (await import('./commands/mock.js')).registerMockCommand,
};

/**
 * The CLI edge: builds the commander program, runs it, and turns every thrown error into one
 * human line and a stable exit code (0 ok, 1 runtime failure, 2 config or usage error).
 */
async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('hel')
    .description('Collect audit and security events from SaaS APIs and write them as NDJSON.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'show stack traces for errors (also HEL_DEBUG=1)')
    .showHelpAfterError('(run hel --help for usage)')
    .exitOverride();

  // Only the command being run is loaded; help, `hel help X` and typos get every command.
  const word = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const names = word !== undefined && Object.hasOwn(COMMANDS, word) ? [word] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((name) => COMMANDS[name]!()))) register(program);

  return program;
}

function debugWanted(argv: string[]): boolean {
  return argv.includes('--debug') || process.env.HEL_DEBUG === '1';
}

async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    return reportError(err, debugWanted(argv));
  }
}

// An error escaping the command's promise chain (an emitter without an 'error' listener, say) still
// becomes one line, never a stack trace. State is consistent at every commit, so exiting is safe.
const escaped = (err: unknown): void => {
  process.exit(reportError(err, debugWanted(process.argv)) || ExitCode.failure);
};
process.on('uncaughtException', escaped);
process.on('unhandledRejection', escaped);

process.exitCode = await main(process.argv);
