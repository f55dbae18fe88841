import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../../clock.js';
import type { HttpOutputConfig } from '../../config/schema.js';
import { httpOutputSchema } from '../../config/schema.js';
import { HelError } from '../../errors.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { headerWaitCapMs } from '../../resilience/rate-limit-headers.js';
import type { Random } from '../../resilience/backoff.js';
import type { SecretReader } from '../../secrets/resolver.js';
import { credentialHeader } from '../../http/auth/static-auth.js';
import { redactUrl } from '../../http/redact-url.js';
import type { Emitter } from '../../bus/event-bus.js';
import type { OutputEventMap } from '../output-events.js';
import type { SinkTarget } from '../open-sink.js';
import { elasticsearchBulkFormat } from './elasticsearch-bulk.js';
import type { HttpFormat } from './format.js';
import { HecAckPoller } from './hec-ack.js';
import { HttpSink } from './http-sink.js';
import { ndjsonFormat } from './ndjson.js';
import { undiciPoster, type Poster } from './post.js';
import { ReceiverHealth } from './receiver-health.js';
import { HEC_ACK_PATH, hecUrl, splunkHecFormat } from './splunk-hec.js';

export interface OpenHttpSinkOptions {
  /** `--output https://…`; wins over global.output.http.url. */
  url?: string;
  /** global.output.http (defaults when absent). */
  config?: HttpOutputConfig;
  secrets: SecretReader;
  clock: Clock;
  logger: Logger;
  /** Tests inject a poster or the randomness of backoff jitter. */
  post?: Poster;
  random?: Random;
  /** Told about deliveries, failed attempts and acknowledgment waits (the metrics). */
  events?: Emitter<OutputEventMap>;
}

/** At most this long is spent on delivering the rest at shutdown. */
const CLOSE_TIMEOUT_MS = 10_000;

/** The `http:` / `https:` line of the sink registry (open-sink.ts). */
export function httpSinkOpener(target: SinkTarget): HttpSink {
  const { config } = target;
  return openHttpSink({
    url: target.output,
    config: config.global.output.http,
    secrets: config.secrets.observed(target.onSecretRead),
    clock: systemClock,
    logger: target.logger ?? createLogger({ level: 'silent' }),
    events: target.events,
  });
}

/** Builds the HTTP sink from `--output URL` and global.output.http. Reads the credential once to fail early. */
export function openHttpSink(options: OpenHttpSinkOptions): HttpSink {
  const config = options.config ?? httpOutputSchema.parse({});
  const url = options.url ?? config.url;
  if (url === undefined || !/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw new HelError('HEL_USAGE', `not an http(s) URL for the HTTP output: ${url === undefined ? '(none)' : redactUrl(url)}`, {
      hint: 'pass --output https://host/path or set global.output.http.url',
    });
  }
  if (new URL(url).username !== '' || new URL(url).password !== '') {
    throw new HelError('HEL_USAGE', `the output URL carries credentials: ${redactUrl(url)}`, { hint: 'put them in global.output.http.auth (env, file or hel secrets) instead of the URL' });
  }
  const channel = randomUUID();
  const format = formatFor(config, url, channel, options.clock);
  const auth = config.auth === undefined ? undefined : config.auth.type === 'bearer' ? { ...config.auth, prefix: config.auth.prefix ?? format.defaultScheme } : config.auth;
  const credentials = () => {
    if (auth === undefined) return { headers: {}, used: [] };
    const { name, value, used } = credentialHeader(auth, options.secrets);
    return { headers: { [name]: value }, used };
  };
  credentials();

  const log = options.logger.child({ output: redactUrl(url) });
  const post = options.post ?? undiciPoster({ timeoutMs: config.timeout_secs * 1000 });
  const health = new ReceiverHealth(config.max_retries, options.clock, log, config.format === 'ndjson' ? 'the HTTP receiver' : config.format === 'splunk_hec' ? 'Splunk HEC' : 'Elasticsearch');
  const acks =
    config.format === 'splunk_hec'
      ? new HecAckPoller({
          post,
          url: hecUrl(url, HEC_ACK_PATH),
          headers: () => ({ ...config.headers, 'x-splunk-request-channel': channel, ...credentials().headers }),
          clock: options.clock,
          pollMs: config.ack_poll_ms,
          timeoutMs: config.ack_timeout_secs * 1000,
          log,
        })
      : undefined;
  return new HttpSink({
    description: `${config.format} output ${redactUrl(format.url)}`,
    limits: { maxLines: config.batch_size, maxBytes: config.max_batch_bytes, timeoutMs: config.batch_timeout_ms },
    maxInFlight: config.max_in_flight,
    health,
    acks,
    clock: options.clock,
    closeTimeoutMs: Math.min(CLOSE_TIMEOUT_MS, config.timeout_secs * 1000),
    delivery: {
      format,
      post,
      headers: config.headers,
      credentials,
      acks,
      ackTimeoutMs: config.ack_timeout_secs * 1000,
      clock: options.clock,
      backoff: { max_attempts: Infinity, initial_backoff_secs: config.initial_backoff_secs, max_backoff_secs: config.max_backoff_secs, multiplier: 2, jitter: 0.2 },
      retryAfterCapMs: headerWaitCapMs(config.max_backoff_secs),
      random: options.random,
      health,
      events: options.events,
      sinkName: config.format,
      log,
    },
  });
}

function formatFor(config: HttpOutputConfig, url: string, channel: string, clock: Clock): HttpFormat {
  switch (config.format) {
    case 'ndjson':
      return ndjsonFormat(url);
    case 'splunk_hec':
      return splunkHecFormat({ url, channel, host: config.host ?? hostname(), sourcetype: config.sourcetype, index: config.index, requireAck: config.require_ack });
    case 'elasticsearch_bulk':
      // The schema requires index for this format.
      return elasticsearchBulkFormat({ url, index: config.index!, now: () => clock.now() });
  }
}
