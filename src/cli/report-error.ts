import { exitCodeOf } from '../errors/codes.js';
import { codeOf, terminalReport } from '../errors/format.js';

/**
 * Prints an error as the user should see it (errors/format.ts: one line per problem with the hint
 * that fixes it, never a stack trace unless --debug or HEL_DEBUG=1 asks for one). Returns the exit code.
 */
export function reportError(err: unknown, debug: boolean): number {
  process.stderr.write(terminalReport(err, debug) + '\n');
  return exitCodeOf(codeOf(err));
}
