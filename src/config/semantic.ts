import { existsSync } from 'node:fs';
import type { ResolvedSource } from './load.js';
import { integrationOf } from '../integrations/registry.js';
import { secretRefsOf, type SecretRef } from '../http/auth/secret-refs.js';
import type { AuthConfig } from './schema.js';
import { cut, looksLikeCredential } from './show-value.js';

export interface SemanticIssue {
  source: ResolvedSource;
  path: (string | number)[];
  message: string;
  hint?: string;
}

/** Checks that need more than one key, the environment, or the file system. No network. */
export function checkSources(
  sources: ResolvedSource[],
  options: { env: NodeJS.ProcessEnv; requireSecrets: boolean; now: () => number },
): { issues: SemanticIssue[]; warnings: string[] } {
  const issues: SemanticIssue[] = [];
  const warnings: string[] = [];
  const labels = new Map<string, string>();

  for (const source of sources) {
    const integration = integrationOf(source);
    const push = (path: (string | number)[], message: string, hint?: string) => issues.push({ source, path, message, hint });

    const retries = source.resilience.retries;
    if (retries.initial_backoff_secs > retries.max_backoff_secs) {
      push(['resilience', 'retries', 'initial_backoff_secs'], `initial_backoff_secs (${retries.initial_backoff_secs}) is greater than max_backoff_secs (${retries.max_backoff_secs})`, 'raise max_backoff_secs or lower initial_backoff_secs');
    }
    if (source.schedule.jitter_secs >= source.schedule.interval_secs) {
      warnings.push(`source ${source.name}: jitter_secs (${source.schedule.jitter_secs}) is not smaller than interval_secs (${source.schedule.interval_secs}); polls may run back to back`);
    }
    if (source.method === 'get' && source.body !== undefined) {
      push(['body'], 'body is only sent with method: post', 'set method: post, or move the fields to query_params');
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

    if (source.max_bytes !== undefined && !['cursor', 'link_header', 'next_url'].includes(source.pagination.strategy)) {
      push(['max_bytes'], `needs a pagination that keeps its position (cursor, link_header or next_url), not ${source.pagination.strategy}`, 'page, offset and none restart every poll, so a per-poll byte limit would cut every poll at the same place; use max_response_bytes to cap single responses');
    }
    for (const problem of integration?.check?.(source, options.now()) ?? []) push(problem.path, problem.message, problem.hint);
    for (const warning of integration?.warnings?.(source, options.now()) ?? []) warnings.push(`source ${source.name}: ${warning}`);
  }
  return { issues, warnings };
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
  const out: { path: (string | number)[]; message: string; hint?: string }[] = [];
  if (auth.type === 'oauth2' && [auth.client_secret_env, auth.client_secret_file, auth.client_secret_secret].some((v) => v !== undefined) && [auth.client_private_key_env, auth.client_private_key_file, auth.client_private_key_secret].some((v) => v !== undefined)) {
    out.push({ path: ['auth'], message: 'sets both a client secret and a client private key', hint: 'keep client_private_key_* for private_key_jwt (Okta org authorization server) or client_secret_* for a client secret, not both' });
  }
  for (const ref of secretRefsOf(auth)) {
    if (ref.env === undefined && ref.file === undefined && ref.secret === undefined) {
      out.push({ path: ['auth'], message: `${ref.what} is not configured`, hint: `set one of ${ref.keys.join(', ')}` });
      continue;
    }
    if (!options.requireSecrets) continue;
    if (ref.file !== undefined) {
      if (!existsSync(ref.file)) out.push({ path: ['auth', `${ref.prefix}_file`], message: `file ${looksLikeCredential(ref.file) ? `named in ${ref.prefix}_file` : cut(ref.file)} does not exist`, hint: `create it with the ${ref.what}, or use ${ref.prefix}_env` });
    } else if (ref.env !== undefined && (options.env[ref.env] === undefined || (options.env[ref.env] === '' && !ref.optional))) {
      // A variable set to the empty string is set: an optional credential (Tailscale's password) may be empty.
      const hint = missingHint?.(ref) ?? `export ${ref.env} with the ${ref.what}`;
      out.push({ path: ['auth', `${ref.prefix}_env`], message: options.env[ref.env] === undefined ? `${ref.env} is not set` : `${ref.env} is empty`, hint });
    }
  }
  return out;
}
