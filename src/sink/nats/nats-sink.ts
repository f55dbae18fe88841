import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { cancelled, HelError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import type { BatchSink, SinkBatch } from '../batch-sink.js';
import { DEFAULT_SUBJECT, type NatsOutputConfig } from './config.js';
import { untilAborted } from '../until-aborted.js';
import { ensureStream } from './stream.js';
import { SubjectTemplate } from './subject.js';

export interface NatsSinkOptions {
  /** `nats://host:port[/subject]`; a subject in the path is used when the config names none. */
  url: URL;
  config: NatsOutputConfig;
  logger?: Logger;
}

/** Which server and subjects a `nats://` URL and `global.output.nats` designate. */
export function natsTarget(url: URL, config: NatsOutputConfig): { server: string; subjects: SubjectTemplate } {
  if (url.username !== '' || url.password !== '') {
    throw new HelError('HEL_USAGE', 'credentials in a nats:// URL are not supported', { hint: 'use nats://host:port/subject against a server that accepts this host' });
  }
  if (url.hostname === '') throw new HelError('HEL_USAGE', `${url.protocol}// needs a host: nats://host:port[/subject]`);
  const fromPath = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  const template = config.subject ?? (fromPath === '' ? DEFAULT_SUBJECT : fromPath);
  return { server: `${url.hostname}:${url.port || '4222'}`, subjects: new SubjectTemplate(template) };
}

/**
 * Publishes every event to NATS JetStream, one message per line (without its newline), on the
 * source's subject, with `Nats-Msg-Id` = the event's dedupe id so the stream's duplicate window
 * drops a page sent again after a crash or a retry. `flush` resolves once every PubAck since the
 * previous flush has arrived; any failure makes it reject, and the caller sends the batches again.
 */
export class NatsSink implements BatchSink {
  readonly description: string;
  /** Messages the stream reported as duplicates (already stored under the same id). */
  duplicates = 0;
  private pending: Promise<PubAck>[] = [];
  private connected = true;
  private lastFailure: string | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly subjects: SubjectTemplate,
    private readonly timeoutMs: number,
    private readonly where: string,
    readonly stream: string,
    readonly duplicateWindowMs: number,
    private readonly logger: Logger | undefined,
  ) {
    this.description = `NATS JetStream ${where} (stream ${stream}, subject ${subjects.template})`;
    void this.watchStatus();
  }

  static async open(options: NatsSinkOptions): Promise<NatsSink> {
    const { server, subjects } = natsTarget(options.url, options.config);
    const where = `nats://${server}`;
    const timeoutMs = options.config.timeout_secs * 1000;
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: server, name: 'hel', timeout: timeoutMs, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
    } catch (err) {
      throw new HelError('HEL_OUTPUT', `cannot connect to ${where}: ${(err as Error).message}`, { hint: 'check that nats-server runs and listens there (with -js for JetStream)' }, { cause: err });
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
      const stream = await ensureStream(
        jsm,
        { name: options.config.stream, filter: subjects.filter(), create: options.config.create_stream, duplicateWindowMs: options.config.duplicate_window_secs * 1000 },
        where,
      );
      if (stream.created) options.logger?.info({ stream: options.config.stream, subjects: subjects.filter() }, `created JetStream stream ${options.config.stream}`);
      return new NatsSink(nc, jetstream(nc, { timeout: timeoutMs }), subjects, timeoutMs, where, options.config.stream, stream.duplicateWindowMs, options.logger);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  write(batch: SinkBatch, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(cancelled(batch.source));
    if (!this.connected || this.nc.isClosed()) return Promise.reject(this.unavailable(`not connected to ${this.where}; reconnecting`));
    const subject = this.subjects.subjectFor(batch.source);
    let start = 0;
    for (let i = 0; i < batch.lineEnds.length; i++) {
      const end = batch.lineEnds[i]!;
      // slice copies: the batch's bytes are reused once write resolves.
      const data = batch.bytes.slice(start, end - 1);
      start = end;
      const id = batch.ids[i];
      const ack = this.js.publish(subject, data, id === undefined ? { timeout: this.timeoutMs } : { msgID: id, timeout: this.timeoutMs });
      // Settled in flush; until then a rejection must not count as unhandled.
      ack.catch(() => undefined);
      this.pending.push(ack);
    }
    return Promise.resolve();
  }

  async flush(signal: AbortSignal): Promise<void> {
    const acks = this.pending;
    this.pending = [];
    const settled = await untilAborted(Promise.allSettled(acks), signal);
    let failure: unknown;
    for (const result of settled) {
      if (result.status === 'fulfilled') {
        if (result.value.duplicate) this.duplicates++;
      } else {
        failure ??= result.reason;
      }
    }
    if (failure === undefined) {
      this.lastFailure = undefined;
      return;
    }
    const reason = failure instanceof Error ? failure.message : JSON.stringify(failure);
    if (failure instanceof JetStreamApiError) {
      throw new HelError('HEL_OUTPUT', `JetStream refused a message on ${this.where}: ${reason}`, { hint: `check the limits of stream ${this.stream} (max_msg_size, max_bytes, discard policy)` }, { cause: failure });
    }
    throw this.unavailable(`no PubAck from ${this.where} for ${settled.length - settled.filter((r) => r.status === 'fulfilled').length} of ${settled.length} messages: ${reason}`, failure);
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }

  healthy(): boolean {
    return this.connected && !this.nc.isClosed() && this.lastFailure === undefined;
  }

  /** Why the sink is not healthy, for /readyz and the status page. */
  problem(): string | undefined {
    if (this.nc.isClosed()) return `connection to ${this.where} closed`;
    if (!this.connected) return `disconnected from ${this.where}; reconnecting`;
    return this.lastFailure;
  }

  private unavailable(message: string, cause?: unknown): HelError {
    this.lastFailure = message;
    return new HelError('HEL_OUTPUT_UNAVAILABLE', message, { hint: `hel retries; check that nats-server at ${this.where} runs with JetStream (-js)` }, { cause });
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.logger?.warn(`disconnected from ${this.where}; reconnecting`);
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.lastFailure = undefined;
        this.logger?.info(`reconnected to ${this.where}`);
      }
    }
  }
}
