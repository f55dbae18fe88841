import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export interface StreamMessage {
  subject: string;
  data: string;
  msgId: string | undefined;
  /** When the stream stored it (ms since the epoch). */
  storedAt: number;
}

/** Every message of `stream`, in order, read with an ordered consumer. */
export async function readStream(url: string, stream: string): Promise<StreamMessage[]> {
  const nc = await connect({ servers: new URL(url).host });
  try {
    const total = (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
    const out: StreamMessage[] = [];
    if (total === 0) return out;
    const consumer = await jetstream(nc).consumers.get(stream);
    const messages = await consumer.consume();
    for await (const msg of messages) {
      out.push({ subject: msg.subject, data: msg.string(), msgId: msg.headers?.get('Nats-Msg-Id') || undefined, storedAt: msg.info.timestampNanos / 1e6 });
      if (out.length >= total) break;
    }
    return out;
  } finally {
    await nc.close();
  }
}
