import { jetstreamManager } from '@nats-io/jetstream';
import { AuthorizationError, connect, headers, type Authenticator, type NatsConnection, type TlsOptions } from '@nats-io/transport-node';
import type { SecretReader } from '../../secrets/resolver.js';
import { cancelled, HelError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import type { Emitter } from '../../bus/event-bus.js';
import type { OutputFailureReason, OutputEventMap } from '../output-events.js';
import type { BatchSink, SinkBatch } from '../batch-sink.js';
import { DEFAULT_SUBJECT, type NatsOutputConfig } from '../../config/nats-schema.js';
import { copyBytes } from '../copy-bytes.js';
import { natsAuthenticator, natsTls } from './credentials.js';
import { untilAborted } from '../until-aborted.js';
import { PubAcks } from './pub-acks.js';
import { ensureStream } from './stream.js';
import { SubjectTemplate } from './subject.js';

export interface NatsSinkOptions {
  /** `nats://host:port[/subject]`; a subject in the path is used when the config names none. */
  url: URL;
  config: NatsOutputConfig;
  /** Where `auth` credentials are read from (env, files, `hel secrets`); required with `auth`. */
  secrets?: SecretReader;
  logger?: Logger;
  /** Told about every acknowledged page and failed flush (the metrics). */
  events?: Emitter<OutputEventMap>;
  /** The clock of the delivery durations. */
  now?: () => number;
}

/** Which server and subjects a `nats://` URL and `global.output.nats` designate. */
function natsTarget(url: URL, config: NatsOutputConfig): { server: string; subjects: SubjectTemplate } {
  if (url.username !== '' || url.password !== '') {
    throw new HelError('HEL_USAGE', 'credentials in a nats:// URL are not supported', { hint: 'use nats://host:port/subject against a server that accepts this host' });
  }
  if (url.hostname === '') throw new HelError('HEL_USAGE', `${url.protocol}// needs a host: nats://host:port[/subject]`);
  const fromPath = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  const template = config.subject ?? (fromPath === '' ? DEFAULT_SUBJECT : fromPath);
  return { server: `${url.hostname}:${url.port || '4222'}`, subjects: new SubjectTemplate(template) };
}

/**
 * The Nats-Msg-Id of an event: its dedupe id, prefixed with the source, because dedupe ids are
 * unique only within a source and the stream's duplicate window spans every subject: two sources
 * with an equal id must not drop each other's event.
 */
function messageId(source: string, id: string): string {
  return `${source}:${id}`;
}

interface Connected {
  nc: NatsConnection;
  acks: PubAcks;
}

/**
 * Publishes every event to NATS JetStream, one message per line (without its newline), on the
 * source's subject, with `Nats-Msg-Id` = the event's dedupe id (see `messageId`) so the stream's duplicate window
 * drops a page sent again after a crash or a retry. `flush` resolves once every PubAck of its
 * source's messages since that source's previous flush has arrived; any failure makes it reject,
 * and the caller sends those batches again. Other sources' messages stay outstanding, theirs to settle.
 * The connection (and the stream check) is made on first use, and made again after a failed
 * attempt, so a server that is down at start is waited for like one that goes down later.
 */
export class NatsSink implements BatchSink {
  readonly description: string;
  /** Messages the stream reported as duplicates (already stored under the same id). */
  duplicates = 0;
  /** The duplicate window of the stream in force, once connected. */
  duplicateWindowMs: number | undefined;
  readonly stream: string;
  private connecting: Promise<Connected> | undefined;
  private current: Connected | undefined;
  private connected = false;
  private lastFailure: string | undefined;
  private readonly server: string;
  private readonly where: string;
  private readonly subjects: SubjectTemplate;
  private readonly timeoutMs: number;
  private readonly authenticator: Authenticator | undefined;
  private readonly tls: TlsOptions | undefined;
  /** Per source, when its first message since its last flush was published (the start of the delivery the flush awaits). */
  private readonly publishingSince = new Map<string, number>();

  constructor(private readonly options: NatsSinkOptions) {
    const { auth } = options.config;
    if (auth !== undefined && options.secrets === undefined) throw new Error('NatsSink: auth needs a secret context');
    // Read now, so a missing credential or file stops Hel at start rather than at the first page.
    this.authenticator = auth === undefined ? undefined : natsAuthenticator(auth, options.secrets!);
    this.tls = natsTls(options.config.tls);
    const { server, subjects } = natsTarget(options.url, options.config);
    this.server = server;
    this.where = `nats://${server}`;
    this.subjects = subjects;
    this.timeoutMs = options.config.timeout_secs * 1000;
    this.stream = options.config.stream;
    this.description = `NATS JetStream ${this.where} (stream ${this.stream}, subject ${subjects.template})`;
  }

  /** Connects and checks the stream now (the sink would on first write). */
  static async open(options: NatsSinkOptions): Promise<NatsSink> {
    const sink = new NatsSink(options);
    await sink.connection();
    return sink;
  }

  async write(batch: SinkBatch, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw cancelled(batch.source);
    const { nc, acks } = await untilAborted(this.connection(), signal);
    if (!this.connected || nc.isClosed()) throw this.unavailable(`not connected to ${this.where}; reconnecting`);
    const subject = this.subjects.subjectFor(batch.source);
    if (!this.publishingSince.has(batch.source)) this.publishingSince.set(batch.source, this.now());
    let start = 0;
    for (let i = 0; i < batch.lineEnds.length; i++) {
      const end = batch.lineEnds[i]!;
      // A copy: the batch's bytes are reused once write resolves, and a publish may wait for a reconnect.
      const data = copyBytes(batch.bytes, start, end - 1);
      start = end;
      const id = batch.ids[i];
      let h;
      if (id !== undefined) {
        h = headers();
        h.set('Nats-Msg-Id', messageId(batch.source, id));
      }
      const reply = acks.expect(batch.source);
      try {
        nc.publish(subject, data, { reply, headers: h });
      } catch (err) {
        acks.unexpect(reply);
        throw this.unavailable(`cannot publish to ${this.where}: ${(err as Error).message}`, err);
      }
    }
  }

  /** Settles the PubAcks of `source`'s messages (of every source's without one), see PubAcks. */
  async flush(signal: AbortSignal, source?: string): Promise<void> {
    if (!this.current) return;
    const settled = await this.current.acks.settle(source, this.timeoutMs, signal);
    const since = this.deliveryStart(source);
    this.duplicates += settled.duplicates;
    if (settled.failure?.permanent) {
      this.options.events?.emit('output.attempt_failed', { sink: 'nats', reason: 'refused' });
      throw new HelError('HEL_OUTPUT', `JetStream refused a message on ${this.where}: ${settled.failure.message}`, {
        hint: `check the limits of stream ${this.stream} (max_msg_size, max_bytes, discard policy)`,
      });
    }
    if (settled.failure) throw this.unavailable(`${this.where}: ${settled.failure.message}`, undefined, 'server_error');
    if (settled.missing > 0) throw this.unavailable(`no PubAck from ${this.where} within ${this.timeoutMs / 1000} s for ${settled.missing} of ${settled.total} messages`);
    this.lastFailure = undefined;
    if (settled.total > 0)
      this.options.events?.emit('output.delivered', { sink: 'nats', events: settled.total - settled.duplicates, duplicates: settled.duplicates, durationMs: this.now() - (since ?? this.now()) });
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    const connection = await connecting?.catch(() => undefined);
    if (connection && !connection.nc.isClosed()) await connection.nc.close();
  }

  /** Healthy until something failed: before the first connection nothing has yet. */
  healthy(): boolean {
    return this.lastFailure === undefined && (this.connected || this.current === undefined);
  }

  /** Why the sink is not healthy, for /readyz and the status page. */
  problem(): string | undefined {
    if (this.lastFailure !== undefined) return this.lastFailure;
    if (!this.connected && this.current) return `disconnected from ${this.where}; reconnecting`;
    return undefined;
  }

  /** The connection, made on first use; a failed attempt is forgotten so the next call tries again. */
  private connection(): Promise<Connected> {
    this.connecting ??= this.connect().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  private async connect(): Promise<Connected> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: this.server, name: 'hel', timeout: this.timeoutMs, maxReconnectAttempts: -1, reconnectTimeWait: 1000, authenticator: this.authenticator, tls: this.tls });
    } catch (err) {
      throw this.connectFailure(err);
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: this.timeoutMs });
      const config = this.options.config;
      const stream = await ensureStream(jsm, { name: this.stream, filter: this.subjects.filter(), create: config.create_stream, duplicateWindowMs: config.duplicate_window_secs * 1000 }, this.where);
      if (stream.created) this.options.logger?.info({ stream: this.stream, subjects: this.subjects.filter() }, `created JetStream stream ${this.stream}`);
      this.duplicateWindowMs = stream.duplicateWindowMs;
    } catch (err) {
      await nc.close();
      throw err;
    }
    this.current = { nc, acks: new PubAcks(nc) };
    this.connected = true;
    this.lastFailure = undefined;
    void this.watchStatus(nc);
    return this.current;
  }

  /**
   * A refused login or an untrusted certificate is not fixed by waiting: it stops Hel with the key to
   * check. The server's and TLS library's messages name no credential; they are passed on as they are.
   */
  private connectFailure(err: unknown): HelError {
    const message = (err as Error).message;
    if (err instanceof AuthorizationError || /authoriz|authenticat/i.test(message)) {
      this.options.events?.emit('output.attempt_failed', { sink: 'nats', reason: 'refused' });
      this.lastFailure = `${this.where} refused the credentials`;
      return new HelError('HEL_OUTPUT', `${this.where} refused the credentials: ${message}`, { hint: 'check global.output.nats.auth and the user on the server' }, { cause: err });
    }
    const tlsCause = (err as { cause?: { code?: unknown } }).cause?.code;
    if (/certificate|self[- ]signed|TLS|SSL/i.test(message) || (typeof tlsCause === 'string' && /CERT|TLS|SSL/.test(tlsCause))) {
      this.options.events?.emit('output.attempt_failed', { sink: 'nats', reason: 'refused' });
      this.lastFailure = `TLS to ${this.where} failed`;
      return new HelError(
        'HEL_OUTPUT',
        `TLS to ${this.where} failed: ${message}`,
        { hint: "check global.output.nats.tls: ca_file must hold the CA that signed the server's certificate, and the certificate must name the host in the URL" },
        { cause: err },
      );
    }
    return this.unavailable(`cannot connect to ${this.where}: ${message}`, err);
  }

  /** When the delivery a flush of `source` (of every source) awaits began; forgets it. */
  private deliveryStart(source: string | undefined): number | undefined {
    const starts = source === undefined ? [...this.publishingSince.values()] : [this.publishingSince.get(source)].filter((t) => t !== undefined);
    if (source === undefined) this.publishingSince.clear();
    else this.publishingSince.delete(source);
    return starts.length === 0 ? undefined : Math.min(...starts);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** A failed attempt that waiting can fix: counted, remembered for /readyz, retried by the caller. */
  private unavailable(message: string, cause?: unknown, reason: OutputFailureReason = 'no_response'): HelError {
    this.lastFailure = message;
    this.options.events?.emit('output.attempt_failed', { sink: 'nats', reason });
    return new HelError('HEL_OUTPUT_UNAVAILABLE', message, { hint: `hel retries; check that nats-server at ${this.where} runs with JetStream (-js)` }, { cause });
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.options.logger?.warn(`disconnected from ${this.where}; reconnecting`);
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.lastFailure = undefined;
        this.options.logger?.info(`reconnected to ${this.where}`);
      }
    }
  }
}
