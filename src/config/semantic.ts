import { existsSync } from 'node:fs';
import type { ResolvedSource } from './resolved.js';
import { integrationOf } from '../integrations/registry.js';
import { secretRefsOf, type SecretRef } from './secret-refs.js';
import type { AuthConfig } from './schema.js';
import { cut, looksLikeCredential } from './show-value.js';
import { helrSpellingIssues } from './helr-keys.js';

export interface SemanticIssue {
  source: ResolvedSource;
  path: (string | number)[];
  message: string;
  hint?: string;
}

/** Checks that need more than one key, the environment, or the file system. No network. */
export function checkSources(sources: ResolvedSource[], options: { env: NodeJS.ProcessEnv; requireSecrets: boolean; now: () => number }): { issues: SemanticIssue[]; warnings: string[] } {
  const issues: SemanticIssue[] = [];
  const warnings: string[] = [];
  const labels = new Map<string, string>();

  for (const source of sources) {
    const integration = integrationOf(source);
    const push = (path: (string | number)[], message: string, hint?: string) => issues.push({ source, path, message, hint });

    const retries = source.resilience.retries;
    if (retries.initial_backoff_secs > retries.max_backoff_secs) {
      push(
        ['resilience', 'retries', 'initial_backoff_secs'],
        `initial_backoff_secs (${retries.initial_backoff_secs}) is greater than max_backoff_secs (${retries.max_backoff_secs})`,
        'raise max_backoff_secs or lower initial_backoff_secs',
      );
    }
    if (source.schedule.jitter_secs >= source.schedule.interval_secs) {
      warnings.push(`source ${source.name}: jitter_secs (${source.schedule.jitter_secs}) is not smaller than interval_secs (${source.schedule.interval_secs}); polls may run back to back`);
    }
    if (source.method === 'get' && source.body !== undefined) {
      warnings.push(`source ${source.name}: body is not sent with method: get (accepted for the Rust Hel's configs); set method: post to send it, or move its fields to query_params`);
    } else if (source.method === 'post' && !isJsonObject(source.body)) {
      const merges = fieldsMergedIntoBody(source);
      if (merges !== undefined)
        push(['body'], `${merges} adds fields to the body, so it must be a JSON object, not ${kindOf(source.body)}`, 'write body as a map, or use a pagination that does not add fields to it');
    }

    const label = `${source.labelKey}=${source.labelValue}`;
    const other = labels.get(label);
    if (other !== undefined) {
      push(['source_label_value'], `label ${JSON.stringify(source.labelValue)} is also used by source ${other}`, 'give each source a distinct source_label_value so its events can be told apart');
    } else {
      labels.set(label, source.name);
    }

    if (source.auth) {
      for (const problem of authIssues(source.auth, options, integration?.missingSecretHint)) push(problem.path, problem.message, problem.hint);
    }

    for (const problem of tlsIssues(source, options)) push(problem.path, problem.message, problem.hint);
    for (const problem of helrSpellingIssues(source)) push(problem.path, problem.message, problem.hint);
    if (source.max_bytes !== undefined && !['cursor', 'link_header', 'next_url'].includes(source.pagination.strategy)) {
      push(
        ['max_bytes'],
        `needs a pagination that keeps its position (cursor, link_header or next_url), not ${source.pagination.strategy}`,
        'page, offset and none restart every poll, so a per-poll byte limit would cut every poll at the same place; use max_response_bytes to cap single responses',
      );
    }
    for (const problem of integration?.check?.(source, options.now()) ?? []) push(problem.path, problem.message, problem.hint);
    for (const warning of integration?.warnings?.(source, options.now()) ?? []) warnings.push(`source ${source.name}: ${warning}`);
  }
  return { issues, warnings };
}

/** resilience.tls files that do not exist and variables that are not set (read for real when the source starts). */
function tlsIssues(source: ResolvedSource, options: { env: NodeJS.ProcessEnv; requireSecrets: boolean }): { path: string[]; message: string; hint: string }[] {
  const tls = source.resilience.tls;
  if (tls === undefined || !options.requireSecrets) return [];
  const out: { path: string[]; message: string; hint: string }[] = [];
  for (const [prefix, what] of [
    ['ca', 'CA certificate'],
    ['client_cert', 'client certificate'],
    ['client_key', 'client private key'],
  ] as const) {
    const file = tls[`${prefix}_file`];
    const env = tls[`${prefix}_env`];
    if (file !== undefined && !existsSync(file)) {
      out.push({ path: ['resilience', 'tls', `${prefix}_file`], message: `file ${cut(file)} does not exist`, hint: `give the path of the ${what} (PEM)` });
    } else if (file === undefined && env !== undefined && !options.env[env]) {
      out.push({ path: ['resilience', 'tls', `${prefix}_env`], message: `${env} is not set`, hint: `export ${env} with the ${what} (PEM)` });
    }
  }
  return out;
}

function isJsonObject(value: unknown): boolean {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
}

/** What would merge fields into a POST body, when something does: those need the body to be an object. */
function fieldsMergedIntoBody(source: ResolvedSource): string | undefined {
  const p = source.pagination;
  if (p.strategy === 'cursor' && p.cursor_in_body === 'merge') return 'pagination cursor (cursor_in_body: merge)';
  if (p.strategy === 'page' || p.strategy === 'page_offset' || p.strategy === 'offset') return `pagination ${p.strategy}`;
  if (source.on_cursor_error === 'reset') return 'on_cursor_error: reset';
  if (source.incremental_from !== undefined) return 'incremental_from';
  if (source.time_window !== undefined) return 'time_window';
  return undefined;
}

/**
 * Problems with the credentials of an auth block (a source's, or the HTTP output's): none
 * configured, a missing file, an unset variable. Paths are relative to the auth block's parent.
 */
export function authIssues(
  auth: AuthConfig,
  options: { env: NodeJS.ProcessEnv; requireSecrets: boolean },
  missingHint?: (ref: SecretRef) => string | undefined,
): { path: (string | number)[]; message: string; hint?: string }[] {
  const both =
    auth.type === 'oauth2' &&
    [auth.client_secret_env, auth.client_secret_file, auth.client_secret_secret].some((v) => v !== undefined) &&
    [auth.client_private_key_env, auth.client_private_key_file, auth.client_private_key_secret].some((v) => v !== undefined);
  const conflict = both
    ? [
        {
          path: ['auth'],
          message: 'sets both a client secret and a client private key',
          hint: 'keep client_private_key_* for private_key_jwt (Okta org authorization server) or client_secret_* for a client secret, not both',
        },
      ]
    : [];
  return [...conflict, ...secretRefIssues(secretRefsOf(auth), options, missingHint)];
}

/** The same checks for any block's credentials (`refs`), e.g. global.output.nats.auth. */
export function secretRefIssues(
  refs: SecretRef[],
  options: { env: NodeJS.ProcessEnv; requireSecrets: boolean },
  missingHint?: (ref: SecretRef) => string | undefined,
): { path: (string | number)[]; message: string; hint?: string }[] {
  const out: { path: (string | number)[]; message: string; hint?: string }[] = [];
  for (const ref of refs) {
    if (ref.env === undefined && ref.file === undefined && ref.secret === undefined) {
      out.push({ path: ['auth'], message: `${ref.what} is not configured`, hint: `set one of ${ref.keys.join(', ')}` });
      continue;
    }
    if (!options.requireSecrets) continue;
    if (ref.file !== undefined) {
      if (!existsSync(ref.file))
        out.push({
          path: ['auth', `${ref.prefix}_file`],
          message: `file ${looksLikeCredential(ref.file) ? `named in ${ref.prefix}_file` : cut(ref.file)} does not exist`,
          hint: `create it with the ${ref.what}, or use ${ref.prefix}_env`,
        });
    } else if (ref.env !== undefined && (options.env[ref.env] === undefined || (options.env[ref.env] === '' && !ref.optional))) {
      // A variable set to the empty string is set: an optional credential (Tailscale's password) may be empty.
      const hint = missingHint?.(ref) ?? `export ${ref.env} with the ${ref.what}`;
      out.push({ path: ['auth', `${ref.prefix}_env`], message: options.env[ref.env] === undefined ? `${ref.env} is not set` : `${ref.env} is empty`, hint });
    }
  }
  return out;
}
