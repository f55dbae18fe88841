import { z } from 'zod';

/**
 * The operations keys of `global` (Helr's names): reload, the SIGUSR1 dump, degradation,
 * bulkheads, load shedding and audit. Their behaviour is described in docs/daemon.md.
 */

const reloadSchema = z.strictObject({
  /** On SIGHUP, rebuild every source (closed breaker, new OAuth2 token), not only the changed ones. */
  restart_sources_on_sighup: z.boolean().default(false),
});

const dumpOnSigusr1Schema = z
  .strictObject({
    destination: z.enum(['log', 'file']).default('log'),
    /** Required with destination file; the dump replaces the file each time (written atomically). */
    path: z.string().min(1).optional(),
  })
  .superRefine((dump, ctx) => {
    if (dump.destination === 'file' && dump.path === undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'destination: file needs path (where the dump is written)' });
    if (dump.destination === 'log' && dump.path !== undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'path is used only with destination: file' });
  });

const degradationSchema = z.strictObject({
  /** The state store cannot be opened (unreachable, not writable): run on memory instead. Loud; see docs/daemon.md. */
  state_store_fallback: z.enum(['memory']).optional(),
  /** A checkpoint that cannot be written is skipped and polling goes on from the position in memory. */
  emit_without_checkpoint: z.boolean().default(false),
  /** While degraded, every poll interval is multiplied by this. */
  reduced_frequency_multiplier: z.number().min(1, 'at least 1 (it lengthens the poll interval while degraded)').default(2),
});

const concurrency = z.int().min(1, 'at least 1');

const bulkheadSchema = z.strictObject({
  /** How many sources may poll at the same time. */
  max_concurrent_sources: concurrency.optional(),
  /** How many HTTP requests one source may have on the wire at once; a source's resilience.bulkhead overrides it. */
  max_concurrent_requests: concurrency.optional(),
});

export const sourceBulkheadSchema = z.strictObject({
  max_concurrent_requests: concurrency.optional(),
});

/** Helr's scale: 0 (shed first) to 10 (never shed); a source without `priority` is 10. */
export const priorityValue = z.int().min(0).max(10);
export const DEFAULT_PRIORITY = 10;

const loadShedding = z.strictObject({
  /** While the output is under backpressure, sources whose priority is below this skip their polls. */
  skip_priority_below: priorityValue.optional(),
});

const auditSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Default true when audit is enabled. */
  log_credential_access: z.boolean().default(true),
  /** Default true when audit is enabled. */
  log_config_changes: z.boolean().default(true),
});

export const operationsGlobalKeys = {
  reload: reloadSchema.prefault({}),
  dump_on_sigusr1: dumpOnSigusr1Schema.optional(),
  degradation: degradationSchema.prefault({}),
  bulkhead: bulkheadSchema.prefault({}),
  load_shedding: loadShedding.prefault({}),
  audit: auditSchema.prefault({}),
};

export type DegradationConfig = z.output<typeof degradationSchema>;
export type AuditConfig = z.output<typeof auditSchema>;
export type DumpConfig = z.output<typeof dumpOnSigusr1Schema>;
