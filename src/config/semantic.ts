import { existsSync } from 'node:fs';
import type { ResolvedSource } from './load.js';
import { integrationOf } from '../integrations/registry.js';
import { secretRefsOf } from '../source/auth/secret-refs.js';

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
      for (const ref of secretRefsOf(source.auth)) {
        if (ref.env === undefined && ref.file === undefined && ref.secret === undefined) {
          push(['auth'], `${ref.what} is not configured`, `set one of ${ref.keys.join(', ')}`);
          continue;
        }
        if (!options.requireSecrets) continue;
        if (ref.file !== undefined) {
          if (!existsSync(ref.file)) push(['auth', `${ref.prefix}_file`], `file ${ref.file} does not exist`, `create it with the ${ref.what}, or use ${ref.prefix}_env`);
        } else if (ref.env !== undefined && (options.env[ref.env] === undefined || (options.env[ref.env] === '' && !ref.optional))) {
          // A variable set to the empty string is set: an optional credential (Tailscale's password) may be empty.
          const hint = integration?.missingSecretHint?.(ref) ?? `export ${ref.env} with the ${ref.what}`;
          push(['auth', `${ref.prefix}_env`], options.env[ref.env] === undefined ? `${ref.env} is not set` : `${ref.env} is empty`, hint);
        }
      }
    }

    for (const problem of integration?.check?.(source, options.now()) ?? []) push(problem.path, problem.message, problem.hint);
    for (const warning of integration?.warnings?.(source, options.now()) ?? []) warnings.push(`source ${source.name}: ${warning}`);
  }
  return { issues, warnings };
}
