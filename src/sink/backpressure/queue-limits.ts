import type { BackpressureConfig } from '../../config/backpressure-schema.js';

/** Helr's defaults. */
const DEFAULT_EVENT_QUEUE_SIZE = 10_000;
const DEFAULT_STDOUT_BUFFER_SIZE = 65_536;

/** `detection.*`: when events held in memory for the output count as too many. */
export class QueueLimits {
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly maxRss: number;

  constructor(
    detection: BackpressureConfig['detection'],
    private readonly rss: () => number = () => process.memoryUsage.rss(),
  ) {
    this.maxEvents = detection.event_queue_size ?? DEFAULT_EVENT_QUEUE_SIZE;
    const bytes = detection.stdout_buffer_size ?? DEFAULT_STDOUT_BUFFER_SIZE;
    this.maxBytes = bytes === 0 ? Infinity : bytes;
    this.maxRss = detection.memory_threshold_mb === undefined ? Infinity : detection.memory_threshold_mb * 1024 * 1024;
  }

  /** Why `events` / `bytes` are over the limit, or undefined when they fit. */
  exceeded(events: number, bytes: number): string | undefined {
    if (events > this.maxEvents) return `${events} events queued (detection.event_queue_size ${this.maxEvents})`;
    if (bytes > this.maxBytes) return `${bytes} bytes queued (detection.stdout_buffer_size ${this.maxBytes})`;
    if (this.maxRss !== Infinity) {
      const rss = this.rss();
      if (rss > this.maxRss) return `RSS ${Math.round(rss / 1048576)} MB (detection.memory_threshold_mb ${this.maxRss / 1048576})`;
    }
    return undefined;
  }
}
