import type { Clock } from '../clock.js';
import type { ResolvedSource } from '../config/resolved.js';
import { HelError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { HooksGlobalConfig } from '../config/hooks-schema.js';
import { hookFetch, type HookNetwork } from './fetch.js';
import type { PollHooks } from './poll-hooks.js';
import { HookRunner } from './sandbox/runner.js';
import { loadHookScript } from './script.js';
import { SourceHooks } from './source-hooks.js';

/**
 * The hooks of a run: one sandbox per source with a script, all stopped on close. A source's hooks
 * built again (a reload changed it) replace its old sandbox, which is stopped.
 */
export class HookHost {
  private readonly runners = new Map<string, { runner: HookRunner; script: string }>();

  constructor(private readonly options: { global: HooksGlobalConfig; env: NodeJS.ProcessEnv; clock: Clock; logger: Logger }) {}

  hooksFor(source: ResolvedSource, network?: HookNetwork): PollHooks | undefined {
    void this.retire(source.name);
    if (source.hooks === undefined) return undefined;
    const { global } = this.options;
    const loaded = loadHookScript(source.name, source.hooks, global);
    if ('problem' in loaded) throw new HelError('HEL_CONFIG', loaded.problem.message, { source: source.name, hint: loaded.problem.hint });
    const { text, filename } = loaded.script;
    const runner = new HookRunner({ source: source.name, script: text, filename, limits: global, log: this.options.logger.child({ source: source.name }), fetch: hookFetch(network) });
    this.runners.set(source.name, { runner, script: text });
    return new SourceHooks({ source, runner, filename, global, env: this.options.env, clock: this.options.clock });
  }

  /**
   * Whether the script a source's sandbox runs is no longer the one on disk (edited since it was
   * read): a reload then rebuilds the source, as it does when its config changed.
   */
  scriptChanged(source: ResolvedSource): boolean {
    const running = this.runners.get(source.name);
    if (running === undefined || source.hooks?.script === undefined) return false;
    const loaded = loadHookScript(source.name, source.hooks, this.options.global);
    return !('script' in loaded) || loaded.script.text !== running.script;
  }

  /** Stops a source's sandbox (the source was removed or is rebuilt). */
  async retire(name: string): Promise<void> {
    const running = this.runners.get(name);
    this.runners.delete(name);
    await running?.runner.close();
  }

  async close(): Promise<void> {
    const runners = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(runners.map((r) => r.runner.close()));
  }
}
