import { fileURLToPath } from 'node:url';
import type { GlobalConfig } from '../config/schema.js';
import { HelError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Emitter } from '../bus/event-bus.js';
import { withBackpressure } from './backpressure/index.js';
import type { OutputEventMap } from './output-events.js';
import type { BatchSink } from './batch-sink.js';
import { FileSink } from './file.js';
import { httpSinkOpener } from './http/open.js';
import { openNatsSink, refuseUnusedNatsConfig } from './nats/open.js';
import { parseRotation } from './rotation.js';
import { StdoutSink } from './stdout.js';
import type { SecretRef } from '../config/secret-refs.js';
import type { SecretResolver } from '../secrets/resolver.js';

/**
 * What the outputs read of the loaded config (a `SinkConfig` is one): the file it came from, the
 * global keys and the credentials. The loader sits above the sinks (docs/architecture.md#layers).
 */
export interface SinkConfig {
  path: string;
  global: GlobalConfig;
  secrets: SecretResolver;
}

/** What an opener gets: the output as given (`--output` or `global.output.path`) and the rest of the config. */
export interface SinkTarget {
  /** `--output` or `global.output.path`: a path or a URL. */
  output: string;
  /** The URL, when `output` is one (`scheme://…`). */
  url?: URL;
  /** `--output-rotate` or `global.output.rotate`. */
  rotate?: string;
  config: SinkConfig;
  env: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Network sinks report deliveries to it (the metrics). */
  events?: Emitter<OutputEventMap>;
  /** Told of every credential the output reads (global.audit), never its value. */
  onSecretRead?: (ref: SecretRef) => void;
}

type SinkOpener = (target: SinkTarget) => BatchSink;

/**
 * One line per URL scheme (with its colon). A plain path is a file and no output is stdout; every
 * other sink is one module behind BatchSink, registered here.
 */
const OPENERS: Record<string, SinkOpener> = {
  'file:': (target) => openFileSink(target, fileURLToPath(target.url!)),
  'http:': httpSinkOpener,
  'https:': httpSinkOpener,
  'nats:': openNatsSink,
};

const URL_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;

export interface OpenSinkOptions {
  output?: string;
  outputRotate?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Told about drops, stalls, retries and the disk buffer (the metrics). */
  events?: Emitter<OutputEventMap>;
  onSecretRead?: (ref: SecretRef) => void;
}

/** Opens the configured output, wrapped in `global.backpressure` (see sink/backpressure/). */
export function openSink(config: SinkConfig, options: OpenSinkOptions = {}): BatchSink {
  refuseUnusedNatsConfig(config, options.output ?? config.global.output.path ?? config.global.output.http?.url);
  return withBackpressure(openBareSink(config, options), config.global.backpressure, { logger: options.logger, events: options.events });
}

/** Opens the configured output for `run`, `test` and the server: stdout, a file, or a URL's sink. */
function openBareSink(config: SinkConfig, options: OpenSinkOptions): BatchSink {
  const output = options.output ?? config.global.output.path ?? config.global.output.http?.url;
  const rotate = options.outputRotate ?? config.global.output.rotate;
  if (output === undefined) {
    if (rotate !== undefined) throw new HelError('HEL_USAGE', '--output-rotate needs --output PATH (stdout cannot rotate)');
    return new StdoutSink();
  }
  const target: SinkTarget = { output, rotate, config, env: options.env ?? process.env, logger: options.logger, events: options.events, onSecretRead: options.onSecretRead };
  if (!URL_FORM.test(output)) return openFileSink(target, output);
  const url = new URL(output);
  if (rotate !== undefined && url.protocol !== 'file:') throw new HelError('HEL_USAGE', `--output-rotate applies to files, not ${url.protocol}// outputs`);
  const opener = OPENERS[url.protocol];
  if (!opener) {
    throw new HelError('HEL_USAGE', `unsupported output ${url.protocol}//…`, {
      hint: `use a file path or one of: ${Object.keys(OPENERS)
        .map((s) => `${s}//`)
        .join(', ')}`,
    });
  }
  return opener({ ...target, url });
}

function openFileSink(target: SinkTarget, path: string): FileSink {
  try {
    return new FileSink(path, parseRotation(target.rotate));
  } catch (err) {
    throw new HelError('HEL_USAGE', (err as Error).message);
  }
}
