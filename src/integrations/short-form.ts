import { z } from 'zod';
import type { ResolvedSource } from '../config/resolved.js';
import { sourceSchema } from '../config/schema.js';
import { isHelError } from '../errors.js';
import type { Advisor } from '../http/failure.js';
import type { SecretRef } from '../config/secret-refs.js';
import type { ExpandContext, SourceProblem } from './integration.js';

/**
 * Building blocks the integrations' short forms share: where the token comes from, checking it is
 * there, the common keys, and finishing a source. Vendor facts stay in the vendor folders.
 */

export const tokenKeys = {
  token_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, _)')
    .optional(),
  token_file: z.string().min(1).optional(),
  token_secret: z.string().min(1).optional(),
};

export const commonKeys = {
  /** Overrides the API host, e.g. a proxy or the bundled fake (`hel mock <type>`). */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  schedule: z.strictObject({ interval_secs: z.number().positive().optional(), jitter_secs: z.number().min(0).optional() }).optional(),
  source_label_key: z.string().min(1).optional(),
  dedupe_capacity: z.int().positive().default(100_000),
};

export interface TokenConfig {
  token_env?: string;
  token_file?: string;
  token_secret?: string;
}

export function tokenRef(config: TokenConfig, defaultEnv: string, what = 'API token'): SecretRef {
  const none = config.token_env === undefined && config.token_file === undefined && config.token_secret === undefined;
  return { what, prefix: 'token', keys: ['token_env', 'token_file', 'token_secret'], env: none ? defaultEnv : config.token_env, file: config.token_file, secret: config.token_secret };
}

/** A short form's token must be readable before any request (unless secrets are not needed, as in replay). */
export function tokenProblems(ref: SecretRef, ctx: ExpandContext, hint: string): SourceProblem[] {
  if (!ctx.requireSecrets) return [];
  try {
    ctx.secrets.read(ref);
    return [];
  } catch (err) {
    const key = ref.file !== undefined ? 'token_file' : ref.env !== undefined ? 'token_env' : 'token_secret';
    return [{ path: [key], message: isHelError(err) ? err.message : String(err), hint }];
  }
}

/** A stable name for a shared request budget: the API host plus where the token comes from. */
export function budgetName(type: string, url: string, ref: SecretRef): string {
  const origin = ref.file !== undefined ? `file:${ref.file}` : ref.env !== undefined ? `env:${ref.env}` : `secret:${ref.secret ?? ''}`;
  return `${type}:${new URL(url).host}:${origin}`;
}

/** Parses an expanded source with the generic schema (filling its defaults) and labels it. */
export function finishSource(raw: Record<string, unknown>, name: string, entry: string, type: string, labelKey: string, stream?: string): ResolvedSource {
  const source = sourceSchema.parse(raw);
  return { ...source, name, labelKey, labelValue: name, integration: { type, entry, ...(stream === undefined ? {} : { stream }) } };
}

/** An integration's hints by status for its API's answers (not a token endpoint's); a 403 that is a rate limit takes the 429 line. */
export function hintsByStatus(hints: Partial<Record<number, string>>): Advisor {
  return (f) => (f.status === undefined || f.tokenRequest === true ? undefined : hints[f.rateLimited ? 429 : f.status]);
}
