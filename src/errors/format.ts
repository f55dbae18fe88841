import { isConfigError } from '../config/errors.js';
import { isHelError, type HelError } from '../errors.js';
import { redactUrl } from '../http/redact-url.js';
import type { ReportedCode } from './codes.js';

/**
 * The one place a failure becomes text. The CLI, the REST API, the status page and the logs all
 * take their words from here, so a message, its location and its hint read the same everywhere and
 * no caller can forget to drop a URL's secrets.
 */

const BUG_HINT = 'run again with --debug for details and report it as a bug';

/** The code a failure is reported with: a HelError's own (HEL_CONFIG for a config error), HEL_UNEXPECTED for anything else (a bug). */
export function codeOf(err: unknown): ReportedCode {
  return isHelError(err) ? err.code : 'HEL_UNEXPECTED';
}

interface Parts {
  message: string;
  source?: string;
  /** URL without secrets and attempt, in that order, when known. */
  where: string[];
  hint?: string;
}

function partsOf(err: unknown): Parts {
  if (!isHelError(err)) return { message: err instanceof Error ? err.message : String(err), where: [] };
  const { source, url, attempt, hint } = err.context;
  const where = [url === undefined ? undefined : printableUrl(url), attempt === undefined ? undefined : `attempt ${attempt}`];
  return { message: err.message, source, where: where.filter((w) => w !== undefined), hint };
}

/** Contexts carry URLs already redacted; redacting again costs nothing and survives a careless caller. */
function printableUrl(url: string): string {
  return URL.canParse(url) ? redactUrl(url) : url;
}

function located(message: string, where: readonly string[]): string {
  return where.length === 0 ? message : `${message} (${where.join(', ')})`;
}

/**
 * One line without the source (the caller shows it beside): `message (URL, attempt N) — hint`. For
 * the CLI's per-source summaries, the REST API's `error`, the status page and the log lines of a source.
 */
export function describeError(err: unknown): string {
  const p = partsOf(err);
  return `${located(p.message, p.where)}${p.hint ? ` — ${p.hint}` : ''}`;
}

/** One line that names its source: `source S: message (URL, attempt N): hint`. */
export function failureLine(err: HelError): string {
  const p = partsOf(err);
  return `${p.source ? `source ${p.source}: ` : ''}${located(p.message, p.where)}${p.hint ? `: ${p.hint}` : ''}`;
}

/**
 * What the CLI prints when a command fails: every problem of a config on its own line, or
 * `hel: message (source S, URL, attempt N)` with the hint on the next line; a failure that is not
 * Hel's own is a bug and says so. A stack trace follows only when asked for (--debug).
 */
export function terminalReport(err: unknown, debug: boolean): string {
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (isConfigError(err)) return err.render() + stack;
  const p = partsOf(err);
  if (!isHelError(err)) return `hel: unexpected error: ${p.message}\n  hint: ${BUG_HINT}${stack}`;
  const where = p.source ? [`source ${p.source}`, ...p.where] : p.where;
  return `hel: ${located(p.message, where)}${p.hint ? `\n  hint: ${p.hint}` : ''}${stack}`;
}

/**
 * The fields a log line about a failure carries: its code and, when known, the URL, attempt and
 * status (the source is the logger's own binding). A bug (HEL_UNEXPECTED) keeps its stack: that is
 * what a bug report needs, and no input of the user's can cause one.
 */
export function errorLogFields(err: unknown): Record<string, unknown> {
  const code = codeOf(err);
  if (!isHelError(err)) return code === 'HEL_UNEXPECTED' && err instanceof Error ? { code, stack: err.stack } : { code };
  const { url, attempt, status } = err.context;
  const fields: Record<string, unknown> = { code };
  if (url !== undefined) fields.url = printableUrl(url);
  if (attempt !== undefined) fields.attempt = attempt;
  if (status !== undefined) fields.status = status;
  return fields;
}
