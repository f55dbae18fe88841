import type { Clock } from '../../clock.js';
import type { RetriesConfig } from '../../config/schema.js';
import { HelError, cancelled, isCancellation, isHelError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { backoffDelayMs, type Random } from '../../resilience/backoff.js';
import { serverWaitMs } from '../../resilience/rate-limit-headers.js';
import { scrubErrorBody } from '../../http/auth/with-header.js';
import { redactUrl } from '../../http/redact-url.js';
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
  log: Logger;
  /** Called when the batch is received and only its HEC acknowledgment is awaited: its request slot is free. */
  onReceived?: () => void;
}

interface Problem {
  reason: string;
  waitMs?: number;
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
  let failures = 0;
  while (queue.length > 0) {
    const lines = queue[0]!;
    const problem = await attempt(lines, o, signal, url, (halves) => queue.splice(0, 1, ...halves));
    if (problem === undefined) {
      if (queue[0] === lines) queue.shift();
      failures = 0;
      continue;
    }
    if (problem === 'split') continue;
    failures++;
    o.health.failed(problem.reason);
    o.stats.retries++;
    const waitMs = problem.waitMs ?? backoffDelayMs(failures, o.backoff, o.random);
    const line = `output: ${problem.reason}; retrying ${queue[0]!.length} events in ${waitMs} ms`;
    if (o.health.healthy) o.log.warn({ url, attempt: failures + 1 }, line);
    else o.log.debug({ url, attempt: failures + 1 }, line);
    await o.clock.sleep(waitMs, signal);
  }
}

/** One request: undefined when the lines are stored, 'split' after a 413, or the problem to retry. */
async function attempt(lines: OutLine[], o: DeliveryOptions, signal: AbortSignal, url: string, split: (halves: OutLine[][]) => void): Promise<Problem | 'split' | undefined> {
  const { headers, body } = o.format.encode(lines);
  const credentials = o.credentials();
  let response: PostResponse;
  try {
    o.stats.requests++;
    response = await o.post(o.format.url, { ...o.headers, ...headers, ...credentials.headers }, body, signal);
  } catch (err) {
    if (isCancellation(err) || signal.aborted) throw cancelled();
    if (!isHelError(err)) throw err;
    return { reason: err.message };
  }
  const scrubbed = scrubErrorBody({ ...response, url: o.format.url }, credentials.used);
  const status = response.status;
  if (status >= 200 && status <= 299) {
    const accepted = o.format.accepted(response, lines);
    switch (accepted.kind) {
      case 'delivered':
        o.health.succeeded();
        o.stats.delivered += lines.length - accepted.duplicates;
        o.stats.duplicates += accepted.duplicates;
        if (accepted.duplicates > 0) o.log.debug({ duplicates: accepted.duplicates }, 'output: events already stored at the receiver were skipped');
        return undefined;
      case 'ack': {
        if (o.acks === undefined) return undefined;
        o.onReceived?.();
        if (await o.acks.wait(accepted.ackId, signal)) {
          o.health.succeeded();
          o.stats.delivered += lines.length;
          return undefined;
        }
        return { reason: `Splunk did not report ackId ${accepted.ackId} indexed within ${o.ackTimeoutMs / 1000} s` };
      }
      case 'partial':
        o.stats.delivered += accepted.delivered;
        o.stats.duplicates += accepted.duplicates;
        split([accepted.retry]);
        return { reason: accepted.reason };
      case 'rejected':
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
    return { reason: `HTTP ${status} from the receiver`, waitMs: serverWaitMs(response.headers, o.clock.now(), o.retryAfterCapMs) };
  }
  const { message, hint } = o.format.refused(status, scrubbed.body);
  throw new HelError('HEL_OUTPUT', message, { url, status, hint: status === 413 ? 'one event is larger than the receiver accepts: raise its request size limit' : hint });
}
