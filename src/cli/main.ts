#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { reportError } from './report-error.js';
import { ExitCode } from '../errors.js';
import { VERSION } from '../version.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerRunCommand } from './commands/run.js';
import { registerTestCommand } from './commands/test.js';
import { registerStateCommand } from './commands/state.js';
import { registerSecretsCommand } from './commands/secrets.js';
import { registerReportCommand } from './commands/report.js';
import { registerMockCommand } from './commands/mock.js';

/**
 * The CLI edge: builds the commander program, runs it, and turns every thrown error into one
 * human line and a stable exit code (0 ok, 1 runtime failure, 2 config or usage error).
 */
export function buildProgram(): Command {
  const program = new Command('hel')
    .description('Collect audit and security events from SaaS APIs and write them as NDJSON.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'show stack traces for errors (also HEL_DEBUG=1)')
    .showHelpAfterError('(run hel --help for usage)')
    .exitOverride();

  registerValidateCommand(program);
  registerSchemaCommand(program);
  registerRunCommand(program);
  registerTestCommand(program);
  registerStateCommand(program);
  registerSecretsCommand(program);
  registerReportCommand(program);
  registerMockCommand(program);
  // Commands are registered here, one module each under cli/commands/.

  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    const debug = program.opts<{ debug?: boolean }>().debug === true || process.env.HEL_DEBUG === '1';
    return reportError(err, debug);
  }
}

process.exitCode = await main(process.argv);
