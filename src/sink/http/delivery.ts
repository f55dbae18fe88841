import type { Clock } from '../../clock.js';
import type { RetriesConfig } from '../../config/schema.js';
import { HelError, cancelled, isCancellation, isHelError } from '../../errors.js';
import { describeError, errorLogFields } from '../../errors/format.js';
import type { Logger } from '../../log/logger.js';
import { backoffDelayMs, type Random } from '../../resilience/backoff.js';
import { serverWaitMs } from '../../resilience/rate-limit-headers.js';
import { scrubErrorBody } from '../../http/auth/with-header.js';
import { redactUrl } from '../../http/redact-url.js';
import type { Emitter } from '../../bus/event-bus.js';
import type { OutputFailureReason, OutputEventMap } from '../output-events.js';
import type { HttpFormat } from './format.js';
import type { HecAckPoller } from './hec-ack.js';
import type { OutLine } from './lines.js';
import type { Poster, PostResponse } from './post.js';
import type { ReceiverHealth } from './receiver-health.js';

/** Counters of what reached the receiver, for logs, tests and the bench. */
export interface DeliveryStats {
  requests: number;
  delivered: number;
  duplicates: number;
  retries: number;
}

export interface DeliveryOptions {
  format: HttpFormat;
  post: Poster;
  /** global.output.http.headers; format and credential headers win over them. */
  headers: Record<string, string>;
  /** The credential header, read per request, and the secret values it was built from (to scrub answers). */
  credentials: () => { headers: Record<string, string>; used: readonly string[] };
  acks?: HecAckPoller;
  ackTimeoutMs: number;
  clock: Clock;
  backoff: RetriesConfig;
  /** Longest Retry-After honoured. */
  retryAfterCapMs: number;
  random?: Random;
  health: ReceiverHealth;
  stats: DeliveryStats;
  /** Told about every delivered batch, failed attempt and HEC acknowledgment wait (the metrics). */
  events?: Emitter<OutputEventMap>;
  /** The sink kind in output events: the format's name. */
  sinkName: string;
  log: Logger;
  /** Called when the batch is received and only its HEC acknowledgment is awaited: its request slot is free. */
  onReceived?: () => void;
}

/** A failed attempt that is retried: what went wrong, as the HelError the logs and the down line format. */
interface Problem {
  error: HelError;
  kind: OutputFailureReason;
  waitMs?: number;
}

/** What one batch's attempts stored, for the output.delivered event once the whole batch is acknowledged. */
interface Tally {
  events: number;
  duplicates: number;
}

/**
 * Delivers one batch until the receiver has acknowledged every line, or throws HEL_OUTPUT when it
 * refuses a line for good. Transient failures (no answer, timeouts, 408, 429, 5xx, per-item 429/5xx,
 * a lost HEC ack) are retried with exponential backoff, or after the receiver's Retry-After, for as
 * long as it takes: nothing is dropped. A 413 splits the batch in halves.
 */
export async function deliver(batch: OutLine[], o: DeliveryOptions, signal: AbortSignal): Promise<void> {
  const url = redactUrl(o.format.url);
  const queue: OutLine[][] = [batch];
  const started = o.clock.now();
  const tally: Tally = { events: 0, duplicates: 0 };
  let failures = 0;
  while (queue.length > 0) {
    const lines = queue[0]!;
    const problem = await attempt(lines, o, signal, url, tally, (halves) => queue.splice(0, 1, ...halves));
    if (problem === undefined) {
      if (queue[0] === lines) queue.shift();
      failures = 0;
      continue;
    }
    if (problem === 'split') {
      o.events?.emit('output.attempt_failed', { sink: o.sinkName, reason: 'too_large' });
      continue;
    }
    failures++;
    o.health.failed(problem.error);
    o.stats.retries++;
    o.events?.emit('output.attempt_failed', { sink: o.sinkName, reason: problem.kind });
    o.events?.emit('output.retry', {});
    const waitMs = problem.waitMs ?? backoffDelayMs(failures, o.backoff, o.random);
    const line = `output: ${describeError(problem.error)}; retrying ${queue[0]!.length} events in ${waitMs} ms`;
    const fields = { ...errorLogFields(problem.error), attempt: failures + 1 };
    if (o.health.healthy) o.log.warn(fields, line);
    else o.log.debug(fields, line);
    await o.clock.sleep(waitMs, signal);
  }
  o.events?.emit('output.delivered', { sink: o.sinkName, ...tally, durationMs: o.clock.now() - started });
}

function stored(o: DeliveryOptions, tally: Tally, events: number, duplicates: number): void {
  o.stats.delivered += events;
  o.stats.duplicates += duplicates;
  tally.events += events;
  tally.duplicates += duplicates;
}

/** One request: undefined when the lines are stored, 'split' after a 413, or the problem to retry. */
async function attempt(lines: OutLine[], o: DeliveryOptions, signal: AbortSignal, url: string, tally: Tally, split: (halves: OutLine[][]) => void): Promise<Problem | 'split' | undefined> {
  const { headers, body } = o.format.encode(lines);
  const credentials = o.credentials();
  let response: PostResponse;
  try {
    o.stats.requests++;
    response = await o.post(o.format.url, { ...o.headers, ...headers, ...credentials.headers }, body, signal);
  } catch (err) {
    if (isCancellation(err) || signal.aborted) throw cancelled();
    if (!isHelError(err)) throw err;
    return { error: err, kind: 'no_response' };
  }
  const scrubbed = scrubErrorBody({ ...response, url: o.format.url }, credentials.used);
  const status = response.status;
  if (status >= 200 && status <= 299) {
    const accepted = o.format.accepted(response, lines);
    switch (accepted.kind) {
      case 'delivered':
        o.health.succeeded();
        stored(o, tally, lines.length - accepted.duplicates, accepted.duplicates);
        if (accepted.duplicates > 0) o.log.debug({ duplicates: accepted.duplicates }, 'output: events already stored at the receiver were skipped');
        return undefined;
      case 'ack': {
        if (o.acks === undefined) return undefined;
        o.onReceived?.();
        const waitStarted = o.clock.now();
        if (await o.acks.wait(accepted.ackId, signal)) {
          o.events?.emit('output.ack_wait', { sink: o.sinkName, durationMs: o.clock.now() - waitStarted });
          o.health.succeeded();
          stored(o, tally, lines.length, 0);
          return undefined;
        }
        return { error: unavailable(`Splunk did not report ackId ${accepted.ackId} indexed within ${o.ackTimeoutMs / 1000} s`, url), kind: 'ack_timeout' };
      }
      case 'partial':
        stored(o, tally, accepted.delivered, accepted.duplicates);
        split([accepted.retry]);
        return { error: unavailable(accepted.reason, url), kind: 'item_errors' };
      case 'rejected':
        o.events?.emit('output.attempt_failed', { sink: o.sinkName, reason: 'refused' });
        throw new HelError('HEL_OUTPUT', accepted.error.message, { ...accepted.error.context, url }, { cause: accepted.error });
    }
  }
  if (status === 413 && lines.length > 1) {
    const half = Math.ceil(lines.length / 2);
    split([lines.slice(0, half), lines.slice(half)]);
    o.log.warn({ url }, `output: the receiver refused ${lines.length} events as too large (413); sending them in two halves`);
    return 'split';
  }
  if (status === 408 || status === 429 || status >= 500) {
    return {
      error: unavailable(`HTTP ${status} from the receiver`, url, status),
      kind: status >= 500 ? 'http_5xx' : status === 429 ? 'http_429' : 'http_408',
      waitMs: serverWaitMs(response.headers, o.clock.now(), o.retryAfterCapMs),
    };
  }
  o.events?.emit('output.attempt_failed', { sink: o.sinkName, reason: 'refused' });
  const { message, hint } = o.format.refused(status, scrubbed.body);
  throw new HelError('HEL_OUTPUT', message, { url, status, hint: status === 413 ? 'one event is larger than the receiver accepts: raise its request size limit' : hint });
}

/** A receiver's answer that a later attempt may get right (HEL_OUTPUT_UNAVAILABLE, the code `block` redelivers). */
function unavailable(message: string, url: string, status?: number): HelError {
  return new HelError('HEL_OUTPUT_UNAVAILABLE', message, status === undefined ? { url } : { url, status });
}
