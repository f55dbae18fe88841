import { z } from 'zod';
import { envName, nonNegativeSecs, outputFormat, positiveSecs } from '../../config/schema.js';

/** The `type: onepassword` short form; expand.ts turns an entry into one source per stream. */

const onePasswordStreams = ['auditevents', 'signinattempts', 'itemusages'] as const;

/** One account of a `type: onepassword` entry with `accounts:`; unset keys come from the entry. */
const onePasswordAccountSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'an account name of letters, digits, . _ -'),
  token_env: envName.optional(),
  token_file: z.string().min(1).optional(),
  token_secret: z.string().min(1).optional(),
  region: z.enum(['com', 'ca', 'eu', 'ent']).optional(),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  api_version: z.enum(['v1', 'v2', 'v3']).optional(),
  streams: z.array(z.enum(onePasswordStreams)).min(1).optional(),
  start_time: z.string().optional(),
  limit: z.int().min(1).max(1000).optional(),
  no_events_alert_hours: z.union([positiveSecs, z.partialRecord(z.enum(onePasswordStreams), positiveSecs)]).optional(),
});

/** `type: onepassword`: one entry that expands to one source per stream (integrations/onepassword). */
export const onePasswordSourceSchema = z.strictObject({
  type: z.literal('onepassword'),
  /** Many accounts in one entry (an MSP, business units): each expands to its own sources and budget. */
  accounts: z.array(onePasswordAccountSchema).min(1).optional(),
  region: z.enum(['com', 'ca', 'eu', 'ent']).optional(),
  /** Overrides the host derived from region or token, e.g. a local mock: http://127.0.0.1:8787 */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** v3 (beta) applies to audit events; sign-in attempts and item usages have no v3 and use v2. */
  api_version: z.enum(['v1', 'v2', 'v3']).default('v2'),
  streams: z
    .array(z.enum(onePasswordStreams))
    .min(1)
    .default([...onePasswordStreams]),
  token_env: envName.optional(),
  token_file: z.string().min(1).optional(),
  token_secret: z.string().min(1).optional(),
  start_time: z.string().optional(),
  limit: z.int().min(1).max(1000).default(1000),
  profile: z.enum(['siem', 'compliance']).default('siem'),
  schedule: z.strictObject({ interval_secs: positiveSecs.optional(), jitter_secs: nonNegativeSecs.optional() }).optional(),
  source_label_key: z.string().min(1).optional(),
  dedupe_capacity: z.int().positive().default(100_000),
  /** Hours without a newer event before a stream alerts: one number for all streams, or per stream. */
  no_events_alert_hours: z.union([positiveSecs, z.partialRecord(z.enum(onePasswordStreams), positiveSecs)]).optional(),
  /** The output format of every stream of this entry, overriding global.output.format. */
  output_format: outputFormat.optional(),
});

export type OnePasswordSourceConfig = z.output<typeof onePasswordSourceSchema>;
export type OnePasswordAccountConfig = z.output<typeof onePasswordAccountSchema>;
