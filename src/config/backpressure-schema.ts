import { z } from 'zod';

/**
 * `global.backpressure`: what happens when the output cannot take events as fast as the sources
 * fetch them, or not at all. Helr's keys; Hel's default differs in one way: it is enabled (with
 * `block`), because a receiver outage must pause collection, never fail or drop it.
 */
export const backpressureSchema = z
  .strictObject({
    /** false: no retrying, queueing or spooling; a failed delivery fails the poll, which starts again from the committed cursor. */
    enabled: z.boolean().default(true),
    detection: z
      .strictObject({
        /** Max events held in memory on their way to the output (block: a flush first; drop: events are dropped). Default 10000. */
        event_queue_size: z.int().positive().optional(),
        /** Max bytes held in memory on their way to the output; 0 = no byte limit. Default 65536. */
        stdout_buffer_size: z.int().min(0).optional(),
        /** Process RSS (MB) above which the queue counts as full. */
        memory_threshold_mb: z.number().positive().optional(),
        /** Hel: a write or flush of the output that takes longer than this is a stall (/readyz, status page, metric, warning). */
        stall_secs: z.number().positive().default(10),
      })
      .prefault({}),
    strategy: z.enum(['block', 'disk_buffer', 'drop']).default('block'),
    /** Which events `drop` discards when the queue is full. */
    drop_policy: z.enum(['oldest_first', 'newest_first', 'random']).optional(),
    /** `drop` only: queued events older than this are dropped (reason max_queue_age). */
    max_queue_age_secs: z.number().positive().optional(),
    disk_buffer: z
      .strictObject({
        /** Spool file prefix: segments are PATH.<n>, the drained position PATH.pos. */
        path: z.string().min(1),
        /** Max total spool size; a full spool blocks the sources until it drains. */
        max_size_mb: z.number().positive().default(1024),
        /** A segment is closed and a new one started at this size; drained segments are deleted. */
        segment_size_mb: z.number().positive().default(64),
      })
      .optional(),
  })
  .superRefine((bp, ctx) => {
    if (bp.strategy === 'disk_buffer' && bp.disk_buffer === undefined) {
      ctx.addIssue({ code: 'custom', path: ['disk_buffer'], message: 'strategy disk_buffer needs disk_buffer.path (the spool file prefix)' });
    }
    if (bp.strategy !== 'disk_buffer' && bp.disk_buffer !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['disk_buffer'], message: `disk_buffer is used only with strategy: disk_buffer (strategy is ${bp.strategy})` });
    }
    for (const key of ['drop_policy', 'max_queue_age_secs'] as const) {
      if (bp.strategy !== 'drop' && bp[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} drops events; it is used only with strategy: drop (strategy is ${bp.strategy})` });
      }
    }
    if (!bp.enabled && bp.strategy !== 'block') {
      ctx.addIssue({ code: 'custom', path: ['strategy'], message: `strategy ${bp.strategy} needs enabled: true` });
    }
    const queueKeys = (['event_queue_size', 'stdout_buffer_size', 'memory_threshold_mb'] as const).filter((k) => bp.detection[k] !== undefined);
    if (queueKeys.length > 0 && (!bp.enabled || bp.strategy === 'disk_buffer')) {
      for (const key of queueKeys) {
        ctx.addIssue({
          code: 'custom',
          path: ['detection', key],
          message: `${key} bounds the in-memory queue of strategies block and drop; ${bp.enabled ? 'disk_buffer is bounded by disk_buffer.max_size_mb' : 'backpressure is disabled'}`,
        });
      }
    }
    if (bp.disk_buffer && bp.disk_buffer.segment_size_mb > bp.disk_buffer.max_size_mb) {
      ctx.addIssue({ code: 'custom', path: ['disk_buffer', 'segment_size_mb'], message: 'segment_size_mb must not exceed max_size_mb' });
    }
  });

export type BackpressureConfig = z.output<typeof backpressureSchema>;
