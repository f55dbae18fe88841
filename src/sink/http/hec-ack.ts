import type { Clock } from '../../clock.js';
import { cancelled } from '../../errors.js';
import { describeError } from '../../errors/format.js';
import type { Logger } from '../../log/logger.js';
import { hecAnswer } from './splunk-hec.js';
import { parseAnswer } from './format.js';
import type { Poster } from './post.js';

export interface AckPollerOptions {
  post: Poster;
  /** The HEC ack endpoint. */
  url: string;
  /** Authorization and channel headers, built per request (a rotated token file is picked up). */
  headers: () => Record<string, string>;
  clock: Clock;
  pollMs: number;
  /** An ackId not reported indexed within this is taken as lost and its batch is sent again. */
  timeoutMs: number;
  log: Logger;
}

/** Splunk answers an ack query for ids it does not track as false; this many ids per query keeps bodies small. */
const MAX_IDS_PER_QUERY = 1000;

interface Waiter {
  deadline: number;
  settle: (indexed: boolean) => void;
}

/**
 * Follows Splunk HEC indexer acknowledgments: every ackId handed out by the event endpoint waits
 * here until `POST /services/collector/ack` reports it `true` (indexed) or `timeoutMs` passes.
 * One query per poll interval covers every id still waiting on the channel.
 */
export class HecAckPoller {
  private readonly waiting = new Map<number, Waiter>();
  private readonly stopped = new AbortController();
  private running = false;
  private lastProblem: string | undefined;

  constructor(private readonly options: AckPollerOptions) {}

  /** Resolves true once the ackId is indexed, false when it timed out (the batch must be re-sent). */
  wait(ackId: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted || this.stopped.signal.aborted) return Promise.reject(cancelled());
    return new Promise<boolean>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiting.delete(ackId);
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(ackId, {
        deadline: this.options.clock.now() + this.options.timeoutMs,
        settle: (indexed) => {
          signal.removeEventListener('abort', onAbort);
          resolve(indexed);
        },
      });
      if (!this.running) void this.loop();
    });
  }

  get pending(): number {
    return this.waiting.size;
  }

  close(): void {
    this.stopped.abort();
  }

  private async loop(): Promise<void> {
    this.running = true;
    const { clock, pollMs } = this.options;
    try {
      while (this.waiting.size > 0) {
        await clock.sleep(pollMs, this.stopped.signal);
        await this.query();
        const now = clock.now();
        for (const [id, waiter] of this.waiting) {
          if (waiter.deadline <= now) {
            this.waiting.delete(id);
            waiter.settle(false);
          }
        }
      }
    } catch {
      // Stopped: the waiters' own signals end them.
    } finally {
      this.running = false;
    }
  }

  private async query(): Promise<void> {
    const ids = [...this.waiting.keys()].slice(0, MAX_IDS_PER_QUERY);
    const { post, url, headers, log } = this.options;
    let problem: string | undefined;
    try {
      const response = await post(url, { 'content-type': 'application/json', ...headers() }, Buffer.from(JSON.stringify({ acks: ids })), this.stopped.signal);
      if (response.status === 200) {
        const acks = (parseAnswer(response.body) as { acks?: Record<string, unknown> } | undefined)?.acks ?? {};
        for (const id of ids) {
          if (acks[String(id)] === true) {
            this.waiting.get(id)?.settle(true);
            this.waiting.delete(id);
          }
        }
      } else {
        const answer = hecAnswer(response.body);
        problem = `HTTP ${response.status}${answer.code === undefined ? '' : `, code ${answer.code} ("${answer.text ?? ''}")`}`;
      }
    } catch (err) {
      if (this.stopped.signal.aborted) throw err;
      problem = describeError(err);
    }
    // Logged once per kind of problem: the deadline re-sends what stays unacknowledged.
    if (problem !== undefined && problem !== this.lastProblem) log.warn(`output: Splunk HEC ack query failed: ${problem}; unacknowledged batches are re-sent after ack_timeout_secs`);
    this.lastProblem = problem;
  }
}
