import { ExitCode, isHelError } from '../errors.js';
import { isConfigError } from '../config/errors.js';
import { exitCodeOf } from '../errors/codes.js';

/**
 * Prints an error as the user should see it: one line per problem, with the hint that fixes it,
 * and never a stack trace unless --debug (or HEL_DEBUG=1) asks for one. Returns the exit code.
 */
export function reportError(err: unknown, debug: boolean): number {
  if (isConfigError(err)) {
    process.stderr.write(err.render() + '\n');
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    return exitCodeOf(err.code);
  }
  if (isHelError(err)) {
    const where = [err.context.source && `source ${err.context.source}`, err.context.url, err.context.attempt && `attempt ${err.context.attempt}`]
      .filter(Boolean)
      .join(', ');
    const hint = err.context.hint ? `\n  hint: ${err.context.hint}` : '';
    process.stderr.write(`hel: ${err.message}${where ? ` (${where})` : ''}${hint}\n`);
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    return exitCodeOf(err.code);
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`hel: unexpected error: ${message}\n  hint: run again with --debug for details and report it as a bug\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return ExitCode.failure;
}
