import { createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { cancelled } from '../../errors.js';

export interface Settled {
  /** Messages published since the last settle. */
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

/**
 * PubAcks for messages published with a reply subject of ours, all on one wildcard subscription:
 * no request, promise or timer per message, which made a request per message 3–4× slower. An ack
 * that arrives after its flush gave up on it is ignored (the batch is being sent again anyway).
 */
export class PubAcks {
  private readonly prefix = `${createInbox()}.`;
  private next = 0;
  private readonly outstanding = new Set<number>();
  private total = 0;
  private duplicates = 0;
  private failure: Settled['failure'];
  private lastAckAt = 0;
  private progress: (() => void) | undefined;

  constructor(nc: NatsConnection) {
    nc.subscribe(`${this.prefix}*`, { callback: (_err, msg) => this.onAck(msg) });
  }

  /** The reply subject of one more message that awaits its ack. */
  expect(): string {
    const token = ++this.next;
    this.outstanding.add(token);
    this.total++;
    return `${this.prefix}${token}`;
  }

  /** Forgets the last `expect` (its publish failed before sending). */
  unexpect(reply: string): void {
    if (this.outstanding.delete(Number(reply.slice(this.prefix.length)))) this.total--;
  }

  /** Waits until every expected ack arrived, or none arrived for `timeoutMs`; then starts over. */
  async settle(timeoutMs: number, signal: AbortSignal): Promise<Settled> {
    this.lastAckAt = Date.now();
    while (this.outstanding.size > 0) {
      if (signal.aborted) throw cancelled();
      const idleFor = Date.now() - this.lastAckAt;
      if (idleFor >= timeoutMs) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs - idleFor);
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.progress = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
      this.progress = undefined;
    }
    const settled: Settled = { total: this.total, duplicates: this.duplicates, missing: this.outstanding.size, failure: this.failure };
    this.outstanding.clear();
    this.total = this.duplicates = 0;
    this.failure = undefined;
    return settled;
  }

  private onAck(msg: Msg): void {
    if (!this.outstanding.delete(Number(msg.subject.slice(this.prefix.length)))) return;
    this.lastAckAt = Date.now();
    const failure = refusal(msg);
    if (failure) this.failure ??= failure;
    else if ((msg.json<AckBody>().duplicate ?? false) === true) this.duplicates++;
    if (this.outstanding.size === 0) this.progress?.();
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
