import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HelBus, HelEventMap } from '../app/hel-events.js';
import type { SourceStatus } from '../engine/status.js';
import { freshnessOf } from '../engine/freshness.js';
import { isCancellation } from '../errors.js';
import { codeOf } from '../errors/format.js';
import { VERSION } from '../version.js';

/** What the scrape-time gauges read: the runtime, once it exists. */
export interface StatusProvider {
  readonly startedAt: number;
  statuses(): SourceStatus[];
  /** global.degradation at run time. */
  readonly degradation?: { readonly fallbackActive: boolean };
}

const CIRCUIT_VALUE: Record<SourceStatus['circuit'], number> = { closed: 0, open: 1, half_open: 2 };

/** 50 ms doubling to 25.6 s, as in the original: API calls range from fast pages to slow exports. */
const REQUEST_BUCKETS = Array.from({ length: 10 }, (_, i) => 0.05 * 2 ** i);
/** 5 ms doubling to ~41 s: a loopback receiver answers in milliseconds, one retrying an outage in tens of seconds. */
const DELIVERY_BUCKETS = Array.from({ length: 14 }, (_, i) => 0.005 * 2 ** i);
const STATE_WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * Prometheus metrics on a registry of their own (never prom-client's global one, so tests and
 * embedders can run several). Counters follow the events of the runtime's bus (`subscribe`); the
 * gauges that depend on "now" are computed at scrape time from the runtime's statuses.
 */
export class Metrics {
  readonly registry = new Registry();
  private provider: StatusProvider | undefined;
  /** Sources whose current request attempt got an HTTP response that was not a success. */
  private readonly attemptAnswered = new Set<string>();

  private readonly requests = new Counter({
    name: 'hel_requests_total',
    help: 'HTTP request attempts by status class (2xx..5xx, or error when no response arrived)',
    labelNames: ['source', 'status_class'],
    registers: [this.registry],
  });
  private readonly requestDuration = new Histogram({
    name: 'hel_request_duration_seconds',
    help: 'Time to a complete HTTP response',
    labelNames: ['source'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  private readonly eventsEmitted = new Counter({ name: 'hel_events_emitted_total', help: 'Events written to the output', labelNames: ['source'], registers: [this.registry] });
  private readonly duplicatesDropped = new Counter({ name: 'hel_duplicates_dropped_total', help: 'Events dropped by the dedupe window', labelNames: ['source'], registers: [this.registry] });
  private readonly errors = new Counter({ name: 'hel_errors_total', help: 'Failed polls by error code', labelNames: ['source', 'code'], registers: [this.registry] });
  private readonly retries = new Counter({ name: 'hel_retries_total', help: 'Request retries', labelNames: ['source'], registers: [this.registry] });
  private readonly rateLimited = new Counter({
    name: 'hel_rate_limited_total',
    help: 'Waits imposed by the API: 429 answers and exhausted rate-limit headers',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly polls = new Counter({ name: 'hel_polls_total', help: 'Finished polls by result (ok, failed)', labelNames: ['source', 'result'], registers: [this.registry] });
  private readonly pollsSkipped = new Counter({
    name: 'hel_polls_skipped_total',
    help: 'Scheduled polls skipped: the circuit was open, or load shedding (global.load_shedding)',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly leasesHeld = new Gauge({ name: 'hel_leases_held', help: 'Shared state: source leases this instance holds', registers: [this.registry] });
  private readonly leaseChanges = new Counter({
    name: 'hel_lease_changes_total',
    help: 'Shared state: leases acquired, taken over (from an instance whose lease expired), lost and released',
    labelNames: ['event'],
    registers: [this.registry],
  });
  private readonly eventsDropped = new Counter({
    name: 'hel_events_dropped_total',
    help: 'Events discarded by backpressure strategy drop (reason backpressure, max_queue_age, shutdown)',
    labelNames: ['source', 'reason'],
    registers: [this.registry],
  });
  private readonly outputStalled = new Gauge({
    name: 'hel_output_stalled',
    help: '1 while a write or flush of the output has taken longer than backpressure.detection.stall_secs',
    registers: [this.registry],
  });
  private readonly outputStalls = new Counter({ name: 'hel_output_stalls_total', help: 'Times the output stalled', registers: [this.registry] });
  private readonly outputRetries = new Counter({ name: 'hel_output_retries_total', help: 'Failed deliveries to the output that were retried', registers: [this.registry] });
  private readonly outputBatches = new Counter({
    name: 'hel_output_batches_total',
    help: "Batches a network sink's receiver acknowledged completely",
    labelNames: ['sink'],
    registers: [this.registry],
  });
  private readonly outputEvents = new Counter({
    name: 'hel_output_events_total',
    help: "Events a network sink's receiver acknowledged: delivered (newly stored) or duplicate (already stored: _bulk 409, JetStream duplicate)",
    labelNames: ['sink', 'result'],
    registers: [this.registry],
  });
  private readonly outputAttemptFailures = new Counter({
    name: 'hel_output_attempt_failures_total',
    help: 'Failed delivery attempts of a network sink by reason; all are retried except refused',
    labelNames: ['sink', 'reason'],
    registers: [this.registry],
  });
  private readonly outputDeliveryDuration = new Histogram({
    name: 'hel_output_delivery_duration_seconds',
    help: "From a batch's first send to its acknowledgment, retries included",
    labelNames: ['sink'],
    buckets: DELIVERY_BUCKETS,
    registers: [this.registry],
  });
  private readonly outputAckWait = new Histogram({
    name: 'hel_output_ack_wait_seconds',
    help: 'Splunk HEC indexer acknowledgment: from the accepted request to the ackId reported indexed',
    labelNames: ['sink'],
    buckets: DELIVERY_BUCKETS,
    registers: [this.registry],
  });
  private readonly diskBufferBytes = new Gauge({ name: 'hel_disk_buffer_bytes', help: 'Bytes waiting in the backpressure disk buffer', registers: [this.registry] });
  private readonly checkpointsSkipped = new Counter({
    name: 'hel_checkpoints_skipped_total',
    help: 'State writes that failed and were skipped (global.degradation.emit_without_checkpoint)',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly stateWriteDuration = new Histogram({
    name: 'hel_state_write_duration_seconds',
    help: 'Duration of state commits at the end of a poll',
    buckets: STATE_WRITE_BUCKETS,
    registers: [this.registry],
  });

  /** `now` is injectable so tests can move the clock that the lag and freshness gauges read. */
  constructor(private readonly now: () => number = Date.now) {
    collectDefaultMetrics({ register: this.registry });
    this.outputStalled.set(0);
    new Gauge({ name: 'hel_build_info', help: 'Always 1; the version label says which hel is running', labelNames: ['version'], registers: [this.registry] }).set({ version: VERSION }, 1);
    const fallback: Gauge = new Gauge({
      name: 'hel_state_store_fallback_active',
      help: '1 while the state store fell back to memory (global.degradation.state_store_fallback): positions are not saved',
      registers: [this.registry],
      collect: () => fallback.set(this.provider?.degradation?.fallbackActive ? 1 : 0),
    });
    this.scrapeGauge('hel_circuit_state', 'Circuit breaker: 0 closed, 1 open, 2 half_open', (s) => CIRCUIT_VALUE[s.circuit]);
    this.scrapeGauge('hel_seconds_since_last_success', 'Seconds since the last successful poll (since start when there was none)', (s, now, startedAt) => {
      const last = s.lastSuccessAt === undefined ? startedAt : Date.parse(s.lastSuccessAt);
      return (now - last) / 1000;
    });
    this.scrapeGauge(
      'hel_cursor_lag_seconds',
      'Freshness: now minus the newest event time delivered (sources with a timestamp only)',
      (s, now, startedAt) => freshnessOf(s, now, startedAt).lagSecs ?? undefined,
    );
    this.scrapeGauge('hel_no_events', "Freshness alert: 1 when no newer event arrived within the source's no_events_alert_hours, else 0 (sources with the alert only)", (s, now, startedAt) => {
      const fresh = freshnessOf(s, now, startedAt);
      return fresh.alertAfterHours === null ? undefined : Number(fresh.noEvents);
    });
  }

  /** Starts the scrape-time gauges and creates every per-source series at 0, so rate() and alerts work from the first scrape. */
  watch(provider: StatusProvider): void {
    this.provider = provider;
    for (const { name: source } of provider.statuses()) {
      for (const counter of [this.eventsEmitted, this.duplicatesDropped, this.retries, this.rateLimited, this.pollsSkipped]) counter.inc({ source }, 0);
      for (const result of ['ok', 'failed']) this.polls.inc({ source, result }, 0);
    }
  }

  /** Counts the events of `bus`; returns the function that stops counting. */
  subscribe(bus: HelBus): () => void {
    const stops = [
      bus.on('http.response', (e) => this.onResponse(e)),
      bus.on('http.retry', (e) => this.onRetry(e)),
      bus.on('http.rate_limited', ({ source }) => this.rateLimited.inc({ source })),
      bus.on('http.error', ({ source }) => this.countUnansweredAttempt(source)),
      bus.on('poll.page', (e) => this.onPage(e)),
      bus.on('poll.end', (e) => this.onPollEnd(e)),
      bus.on('poll.skipped', ({ source }) => this.pollsSkipped.inc({ source })),
      bus.on('lease.change', (e) => this.onLease(e)),
      bus.on('state.write', ({ durationMs }) => this.stateWriteDuration.observe(durationMs / 1000)),
      bus.on('state.checkpoint_skipped', ({ source }) => this.checkpointsSkipped.inc({ source })),
      bus.on('output.dropped', ({ source, reason, events }) => this.eventsDropped.inc({ source, reason }, events)),
      bus.on('output.stall', ({ stalled }) => this.onOutputStall(stalled)),
      bus.on('output.retry', () => this.outputRetries.inc()),
      bus.on('output.spool', ({ bytes }) => this.diskBufferBytes.set(bytes)),
      bus.on('output.delivered', (e) => this.onOutputDelivered(e)),
      bus.on('output.attempt_failed', ({ sink, reason }) => this.outputAttemptFailures.inc({ sink, reason })),
      bus.on('output.ack_wait', ({ sink, durationMs }) => this.outputAckWait.observe({ sink }, durationMs / 1000)),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  private onResponse(info: HelEventMap['http.response']): void {
    const statusClass = info.status >= 100 && info.status <= 599 ? `${Math.floor(info.status / 100)}xx` : 'error';
    this.requests.inc({ source: info.source, status_class: statusClass });
    this.requestDuration.observe({ source: info.source }, info.durationMs / 1000);
    if (info.status < 200 || info.status > 299) this.attemptAnswered.add(info.source);
  }

  private onRetry(info: HelEventMap['http.retry']): void {
    this.retries.inc({ source: info.source });
    this.countUnansweredAttempt(info.source);
  }

  private onPage({ source, page }: HelEventMap['poll.page']): void {
    this.eventsEmitted.inc({ source }, page.emitted);
    this.duplicatesDropped.inc({ source }, page.duplicates);
  }

  private onPollEnd(outcome: HelEventMap['poll.end']): void {
    const source = outcome.source;
    if (outcome.error === undefined) {
      this.polls.inc({ source, result: 'ok' });
      return;
    }
    if (isCancellation(outcome.error)) return;
    this.polls.inc({ source, result: 'failed' });
    this.errors.inc({ source, code: codeOf(outcome.error) });
  }

  private onLease({ event, held }: HelEventMap['lease.change']): void {
    this.leaseChanges.inc({ event });
    this.leasesHeld.set(held);
  }

  private onOutputStall(stalled: boolean): void {
    this.outputStalled.set(stalled ? 1 : 0);
    if (stalled) this.outputStalls.inc();
  }

  private onOutputDelivered(info: HelEventMap['output.delivered']): void {
    const sink = info.sink;
    this.outputBatches.inc({ sink });
    this.outputEvents.inc({ sink, result: 'delivered' }, info.events);
    this.outputEvents.inc({ sink, result: 'duplicate' }, info.duplicates);
    this.outputDeliveryDuration.observe({ sink }, info.durationMs / 1000);
  }

  /**
   * A failed attempt is reported as a retry or a final error. The transport reports a response
   * before that when one arrived, and a source sends one request at a time, so an attempt without
   * a preceding non-2xx response ended without any answer (network error, timeout).
   */
  private countUnansweredAttempt(source: string): void {
    if (!this.attemptAnswered.delete(source)) this.requests.inc({ source, status_class: 'error' });
  }

  private scrapeGauge(name: string, help: string, value: (status: SourceStatus, now: number, startedAt: number) => number | undefined): void {
    const gauge: Gauge<'source'> = new Gauge({
      name,
      help,
      labelNames: ['source'],
      registers: [this.registry],
      collect: () => {
        gauge.reset();
        if (!this.provider) return;
        const now = this.now();
        for (const status of this.provider.statuses()) {
          const v = value(status, now, this.provider.startedAt);
          if (v !== undefined) gauge.set({ source: status.name }, v);
        }
      },
    });
  }
}
