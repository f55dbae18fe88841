import type { Clock } from '../clock.js';
import type { ResolvedSource } from '../config/load.js';
import { HelError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { HooksGlobalConfig } from './config.js';
import type { PollHooks } from './poll-hooks.js';
import { HookRunner } from './sandbox/runner.js';
import { loadHookScript } from './script.js';
import { SourceHooks } from './source-hooks.js';

/** The hooks of a run: one sandbox per source with a script, all stopped on close. */
export class HookHost {
  private readonly runners: HookRunner[] = [];

  constructor(private readonly options: { global: HooksGlobalConfig; env: NodeJS.ProcessEnv; clock: Clock; logger: Logger }) {}

  hooksFor(source: ResolvedSource): PollHooks | undefined {
    if (source.hooks === undefined) return undefined;
    const { global } = this.options;
    const loaded = loadHookScript(source.name, source.hooks, global);
    if ('problem' in loaded) throw new HelError('HEL_CONFIG', loaded.problem.message, { source: source.name, hint: loaded.problem.hint });
    const { text, filename } = loaded.script;
    const runner = new HookRunner({ source: source.name, script: text, filename, limits: global, log: this.options.logger.child({ source: source.name }) });
    this.runners.push(runner);
    return new SourceHooks({ source, runner, filename, global, env: this.options.env, clock: this.options.clock });
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.close()));
  }
}
