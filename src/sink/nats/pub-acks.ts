import { createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { cancelled } from '../../errors.js';

export interface Settled {
  /** Messages published since the last settle (of the sources settled). */
  total: number;
  /** Messages the stream already held under the same Nats-Msg-Id. */
  duplicates: number;
  /** Messages with no PubAck within the timeout. */
  missing: number;
  /** The first refusal: `permanent` when JetStream rejected the message itself (4xx), not its own state. */
  failure?: { message: string; permanent: boolean };
}

interface AckBody {
  stream?: string;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

/** The acks one source awaits since its last settle. */
class SourceAcks {
  outstanding = 0;
  total = 0;
  duplicates = 0;
  failure: Settled['failure'];
  lastAckAt = 0;
  /** Wakes the settles waiting on this source once nothing is outstanding. */
  readonly drained = new Set<() => void>();
}

/**
 * PubAcks for messages published with a reply subject of ours, all on one wildcard subscription:
 * no request, promise or timer per message, which made a request per message 3–4× slower. Acks are
 * counted per source, because sources commit on their own: a source settles only its messages,
 * and giving up on them (a timeout, a refusal) leaves the other sources' outstanding. An ack that
 * arrives after its settle gave up on it is ignored (the batch is being sent again anyway).
 */
export class PubAcks {
  private readonly prefix = `${createInbox()}.`;
  private next = 0;
  /** Each outstanding message's token, to the acks of its source. */
  private readonly owners = new Map<number, SourceAcks>();
  private readonly sources = new Map<string, SourceAcks>();

  constructor(nc: NatsConnection) {
    nc.subscribe(`${this.prefix}*`, { callback: (_err, msg) => this.onAck(msg) });
  }

  /** The reply subject of one more message of `source` that awaits its ack. */
  expect(source: string): string {
    let acks = this.sources.get(source);
    if (acks === undefined) this.sources.set(source, (acks = new SourceAcks()));
    const token = ++this.next;
    this.owners.set(token, acks);
    acks.outstanding++;
    acks.total++;
    return `${this.prefix}${token}`;
  }

  /** Forgets the last `expect` (its publish failed before sending). */
  unexpect(reply: string): void {
    const token = Number(reply.slice(this.prefix.length));
    const acks = this.owners.get(token);
    if (acks === undefined) return;
    this.owners.delete(token);
    acks.outstanding--;
    acks.total--;
  }

  /**
   * Waits until every ack `source` expects arrived (every source's without one), or none of a
   * source's arrived for `timeoutMs`; then starts those sources over.
   */
  async settle(source: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<Settled> {
    const scope = source === undefined ? [...this.sources.values()] : [this.sources.get(source)].filter((a) => a !== undefined);
    const started = Date.now();
    for (const acks of scope) await this.drain(acks, started, timeoutMs, signal);
    const settled: Settled = { total: 0, duplicates: 0, missing: 0 };
    for (const acks of scope) {
      settled.total += acks.total;
      settled.duplicates += acks.duplicates;
      settled.missing += acks.outstanding;
      settled.failure ??= acks.failure;
      if (acks.outstanding > 0) for (const [token, owner] of this.owners) if (owner === acks) this.owners.delete(token);
      acks.outstanding = acks.total = acks.duplicates = 0;
      acks.failure = undefined;
    }
    return settled;
  }

  private async drain(acks: SourceAcks, started: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    while (acks.outstanding > 0) {
      if (signal.aborted) throw cancelled();
      const idleFor = Date.now() - Math.max(started, acks.lastAckAt);
      if (idleFor >= timeoutMs) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          acks.drained.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs - idleFor);
        signal.addEventListener('abort', done, { once: true });
        acks.drained.add(done);
      });
    }
  }

  private onAck(msg: Msg): void {
    const token = Number(msg.subject.slice(this.prefix.length));
    const acks = this.owners.get(token);
    if (acks === undefined) return;
    this.owners.delete(token);
    acks.outstanding--;
    acks.lastAckAt = Date.now();
    const failure = refusal(msg);
    if (failure) acks.failure ??= failure;
    else if ((msg.json<AckBody>().duplicate ?? false) === true) acks.duplicates++;
    if (acks.outstanding === 0) for (const wake of acks.drained) wake();
  }
}

function refusal(msg: Msg): Settled['failure'] {
  if (msg.headers?.code === 503) return { message: 'no JetStream stream answered (JetStream not ready, or the stream is gone)', permanent: false };
  let body: AckBody;
  try {
    body = msg.json<AckBody>();
  } catch {
    return { message: 'an unreadable PubAck', permanent: false };
  }
  if (body.error) {
    const code = body.error.code ?? 500;
    return { message: `JetStream error ${body.error.err_code ?? code}: ${body.error.description ?? 'no description'}`, permanent: code < 500 };
  }
  if (!body.stream) return { message: 'a PubAck without a stream', permanent: false };
  return undefined;
}
