import { z } from 'zod';

/**
 * `global.hooks`: whether sources may run JavaScript hooks, and the sandbox every hook call runs
 * in. Helr's keys with Helr's meaning; Hel bounds memory by default (Helr leaves it unset).
 */
export const hooksGlobalSchema = z.strictObject({
  /** Off by default: a source with `hooks:` is a config error until this is true. */
  enabled: z.boolean().default(false),
  /** Directory that relative `hooks.script` paths are read from (relative to the working directory). */
  path: z.string().min(1).default('.'),
  /** Longest one hook call may take, including its fetch() calls; then it is stopped (HEL_HOOK_TIMEOUT). */
  timeout_secs: z.number().positive().max(3600).default(5),
  /** Heap of a source's hook sandbox; a hook allocating beyond it is stopped (HEL_HOOK_MEMORY). */
  memory_limit_mb: z.int().min(16).max(4096).default(64),
  /** fetch() exists in hooks only when true. */
  allow_network: z.boolean().default(false),
  /** require('fs') exists in hooks only when true (text files: read, write, append, list, delete). */
  allow_fs: z.boolean().default(false),
  /** How long a getAuth result is reused before getAuth runs again; 0 = once per poll. */
  auth_cache_ttl_secs: z.number().min(0).default(1800),
});

/** A source's `hooks:` block: the script, from a file or inline. */
export const sourceHooksSchema = z
  .strictObject({
    /** A .js file: absolute, or relative to global.hooks.path. */
    script: z.string().min(1).optional(),
    /** The script itself, e.g. in a YAML block scalar (`|`). */
    script_inline: z.string().min(1).optional(),
  })
  .refine((h) => (h.script === undefined) !== (h.script_inline === undefined), { message: 'set exactly one of script or script_inline' });

export type HooksGlobalConfig = z.output<typeof hooksGlobalSchema>;
export type SourceHooksConfig = z.output<typeof sourceHooksSchema>;
