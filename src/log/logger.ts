import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { HelError } from '../errors.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** json, pretty, or undefined for: pretty on a terminal, JSON otherwise. */
  format?: 'json' | 'pretty';
  /** Producer label on every line, e.g. {"source_label": "hel"} is written as `service`. */
  service?: string;
  destination?: NodeJS.WritableStream;
}

/**
 * Paths whose values are secrets wherever they appear in a log object. Redaction happens in the
 * logger itself, so a careless `log.info({ request })` still cannot print a token.
 */
const REDACT_PATHS = [
  'authorization',
  'Authorization',
  'token',
  'password',
  'secret',
  'client_secret',
  'refresh_token',
  'access_token',
  'headers.authorization',
  'headers.Authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  '*.authorization',
  '*.Authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
  'headers.Cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers.cookie',
  '*.headers.Cookie',
  '*.headers["set-cookie"]',
  '*.headers["x-api-key"]',
];

/** Hel's own logs: always stderr, so stdout carries only NDJSON events. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  const format = options.format ?? ((destination as { isTTY?: boolean }).isTTY ? 'pretty' : 'json');
  const base = {
    level: options.level,
    base: options.service ? { service: options.service } : undefined,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
  };
  if (format === 'pretty') {
    return pino(
      base,
      pretty({
        destination: destination as NodeJS.WritableStream & { fd?: number },
        sync: true,
        colorize: Boolean((destination as { isTTY?: boolean }).isTTY),
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,service',
      }),
    );
  }
  return pino(base, destination === process.stderr ? pino.destination({ fd: 2, sync: true }) : destination);
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The level from -q / -v, then HEL_LOG_LEVEL, then the config: the most explicit wins. */
export function resolveLogLevel(configLevel: string, flags: { verbose?: boolean; quiet?: boolean }, env: NodeJS.ProcessEnv = process.env): string {
  if (flags.quiet) return 'error';
  if (flags.verbose) return 'debug';
  const fromEnv = env.HEL_LOG_LEVEL?.trim().toLowerCase();
  if (fromEnv === undefined || fromEnv === '') return configLevel;
  if (!LEVELS.includes(fromEnv)) {
    throw new HelError('HEL_USAGE', `HEL_LOG_LEVEL=${env.HEL_LOG_LEVEL} is not a log level`, { hint: `use one of ${LEVELS.join(', ')}` });
  }
  return fromEnv;
}
