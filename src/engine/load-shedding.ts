import type { ResolvedSource } from '../config/resolved.js';
import { DEFAULT_PRIORITY } from '../config/operations-schema.js';
import type { Logger } from '../log/logger.js';
import type { BatchSink } from '../sink/batch-sink.js';

/**
 * `global.load_shedding.skip_priority_below` with each source's `priority` (0–10, default 10).
 * Helr sheds while its output queue is full. Hel's outputs hold no such queue between polls: under
 * backpressure a delivery is retried (block), spooled (disk_buffer) or dropped (drop) and the
 * output reports itself unhealthy meanwhile (failing receiver, stalled write, full spool). While it
 * does, a scheduled poll of a source below the threshold is skipped, so hel fetches no page that
 * could only wait; the source polls again at its first tick after the output is healthy. Its
 * cursor does not move while it is skipped, so nothing is lost, only delayed.
 */
export class LoadShedder {
  private shedding = false;

  constructor(
    private readonly sink: Pick<BatchSink, 'healthy' | 'problem'>,
    private readonly logger: Logger,
  ) {}

  /** Why `source` must skip this poll, or undefined when it polls. */
  shouldSkip(source: ResolvedSource, threshold: number | undefined): string | undefined {
    if (threshold === undefined) return undefined;
    const underPressure = !this.sink.healthy();
    if (this.shedding && !underPressure) this.logger.info('the output is healthy again: load shedding ends, every source polls');
    this.shedding = underPressure;
    if (!underPressure) return undefined;
    const priority = source.priority ?? DEFAULT_PRIORITY;
    if (priority >= threshold) return undefined;
    const why = this.sink.problem?.() ?? 'the output reports a failure';
    return `load shedding: the output is under backpressure (${why}) and priority ${priority} is below global.load_shedding.skip_priority_below ${threshold}`;
  }
}
