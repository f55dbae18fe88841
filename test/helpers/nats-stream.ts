import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type ConnectionOptions } from '@nats-io/transport-node';

export interface StreamMessage {
  subject: string;
  data: string;
  msgId: string | undefined;
  /** When the stream stored it (ms since the epoch). */
  storedAt: number;
}

/**
 * Every message of `stream`, in stream order, read with an ordered consumer. The consumer may
 * start over after a hiccup and deliver a message again, so messages are keyed by their stream
 * sequence: a message stored twice shows up twice, a message delivered twice does not.
 */
export async function readStream(url: string, stream: string, options: Partial<ConnectionOptions> = {}): Promise<StreamMessage[]> {
  const nc = await connect({ ...options, servers: new URL(url).host });
  try {
    const total = (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
    const bySeq = new Map<number, StreamMessage>();
    if (total === 0) return [];
    const consumer = await jetstream(nc).consumers.get(stream);
    const messages = await consumer.consume();
    for await (const msg of messages) {
      bySeq.set(msg.info.streamSequence, { subject: msg.subject, data: msg.string(), msgId: msg.headers?.get('Nats-Msg-Id') || undefined, storedAt: msg.info.timestampNanos / 1e6 });
      if (bySeq.size >= total) break;
    }
    return [...bySeq.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
  } finally {
    await nc.close();
  }
}
