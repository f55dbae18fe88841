import type { ResolvedSource } from '../config/resolved.js';
import type { HooksGlobalConfig } from '../config/hooks-schema.js';
import { loadHookScript } from './script.js';

export interface HookIssue {
  source: string;
  path: (string | number)[];
  message: string;
  hint: string;
}

/** Config checks of hooks: enabled when used, and every script readable and compiling. */
export function hookIssues(sources: readonly ResolvedSource[], global: HooksGlobalConfig): HookIssue[] {
  const issues: HookIssue[] = [];
  for (const source of sources) {
    if (source.hooks === undefined) continue;
    if (!global.enabled) {
      issues.push({ source: source.name, path: ['hooks'], message: 'this source has hooks, but hooks are disabled', hint: 'set global.hooks.enabled: true; docs/hooks.md explains hooks' });
      continue;
    }
    const loaded = loadHookScript(source.name, source.hooks, global);
    if ('problem' in loaded) issues.push({ source: source.name, path: ['hooks', loaded.problem.key], message: loaded.problem.message, hint: loaded.problem.hint });
  }
  return issues;
}
