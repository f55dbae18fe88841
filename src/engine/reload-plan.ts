import { isDeepStrictEqual } from 'node:util';
import type { LoadedConfig } from '../config/load.js';
import type { ResolvedSource } from '../config/resolved.js';
import type { GlobalConfig } from '../config/schema.js';

/** What a reload does to each source, by name. */
export interface ReloadPlan {
  added: ResolvedSource[];
  removed: string[];
  /** Sources whose config changed: rebuilt from their committed state. */
  changed: ResolvedSource[];
  /** Unchanged sources rebuilt anyway (`restart_sources_on_sighup`): closed breaker, new token. */
  restarted: ResolvedSource[];
  unchanged: string[];
}

/**
 * The `global` keys a running hel applies on reload. The others (state, output, backpressure,
 * listeners, log settings, secrets, bulkhead, degradation) are fixed at start: a reload that
 * changes one is refused, so a key is never silently left at its old value.
 */
const RELOADABLE_GLOBAL_KEYS: ReadonlySet<keyof GlobalConfig> = new Set(['reload', 'dump_on_sigusr1', 'audit', 'load_shedding']);

/** The `global` keys that differ between the running and the new config and need a restart. */
export function restartOnlyChanges(running: GlobalConfig, next: GlobalConfig): string[] {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)] as (keyof GlobalConfig)[]);
  return [...keys].filter((key) => !RELOADABLE_GLOBAL_KEYS.has(key) && !isDeepStrictEqual(running[key], next[key])).map((key) => `global.${key}`);
}

/** A source counts as changed when its config differs, or when `scriptChanged` says its hook script was edited. */
export function planReload(running: readonly ResolvedSource[], next: LoadedConfig, restartAll: boolean, scriptChanged: (source: ResolvedSource) => boolean = () => false): ReloadPlan {
  const before = new Map(running.map((s) => [s.name, s]));
  const plan: ReloadPlan = { added: [], removed: [], changed: [], restarted: [], unchanged: [] };
  for (const source of next.sources) {
    const old = before.get(source.name);
    if (old === undefined) plan.added.push(source);
    else if (!isDeepStrictEqual(old, source) || scriptChanged(old)) plan.changed.push(source);
    else if (restartAll) plan.restarted.push(source);
    else plan.unchanged.push(source.name);
  }
  const kept = new Set(next.sources.map((s) => s.name));
  plan.removed = running.filter((s) => !kept.has(s.name)).map((s) => s.name);
  return plan;
}

/** The plan as names, for the reload log line and the audit line. */
export function planSummary(plan: ReloadPlan): Record<string, string[]> {
  const names = (sources: ResolvedSource[]) => sources.map((s) => s.name);
  return { added: names(plan.added), removed: plan.removed, changed: names(plan.changed), restarted: names(plan.restarted), unchanged: plan.unchanged };
}
