import { systemClock, type Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import type { BatchSink } from '../batch-sink.js';
import { BlockingSink } from './block.js';
import type { BackpressureConfig } from '../../config/backpressure-schema.js';
import { DiskBufferSink } from './disk-buffer.js';
import { DroppingSink } from './drop.js';
import type { Emitter } from '../../bus/event-bus.js';
import type { OutputEventMap } from '../output-events.js';
import { QueueLimits } from './queue-limits.js';
import { Spool } from './spool.js';
import { StallWatch } from './stall.js';

export interface BackpressureDeps {
  logger?: Logger;
  events?: Emitter<OutputEventMap>;
  clock?: Clock;
  random?: () => number;
}

/**
 * Wraps the configured sink with `global.backpressure`: a stall watch always (detection.stall_secs),
 * then the strategy when enabled. Disabled, a failed delivery fails the poll, which starts again
 * from its committed cursor on the next one.
 */
export function withBackpressure(sink: BatchSink, config: BackpressureConfig, deps: BackpressureDeps = {}): BatchSink {
  const stallMs = config.detection.stall_secs * 1000;
  const watched = new StallWatch(sink, { stallMs, logger: deps.logger, events: deps.events });
  if (!config.enabled) return watched;
  const redelivery = { clock: deps.clock ?? systemClock, logger: deps.logger, events: deps.events, random: deps.random };
  const limits = new QueueLimits(config.detection);
  switch (config.strategy) {
    case 'block':
      return new BlockingSink(watched, limits, redelivery);
    case 'drop':
      return new DroppingSink(watched, {
        ...redelivery,
        limits,
        policy: config.drop_policy ?? 'oldest_first',
        maxQueueAgeMs: config.max_queue_age_secs === undefined ? undefined : config.max_queue_age_secs * 1000,
        stallMs,
      });
    case 'disk_buffer': {
      const buffer = config.disk_buffer!;
      const spool = new Spool(buffer.path, buffer.segment_size_mb * 1024 * 1024);
      return new DiskBufferSink(watched, spool, { ...redelivery, maxBytes: buffer.max_size_mb * 1024 * 1024 });
    }
  }
}
