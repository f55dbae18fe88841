import { isAbsolute, join } from 'node:path';
import vm from 'node:vm';
import { BoundedReadError, readBoundedFile } from '../read-bounded.js';
import type { HooksGlobalConfig, SourceHooksConfig } from '../config/hooks-schema.js';

/** A hook script is code, not data: a larger file is a mistake. */
const MAX_SCRIPT_BYTES = 1024 * 1024;

export interface HookScript {
  text: string;
  /** The name errors and stack frames show: the file's path, or `<source>.inline.js`. */
  filename: string;
}

export interface ScriptProblem {
  /** Relative to the source's `hooks` block. */
  key: 'script' | 'script_inline';
  message: string;
  hint: string;
}

/** Where `hooks.script` points: an absolute path, or one under global.hooks.path. */
function scriptPath(script: string, global: Pick<HooksGlobalConfig, 'path'>): string {
  return isAbsolute(script) ? script : join(global.path, script);
}

/** Reads a source's script and checks that it compiles (without running it). */
export function loadHookScript(source: string, hooks: SourceHooksConfig, global: Pick<HooksGlobalConfig, 'path'>): { script: HookScript } | { problem: ScriptProblem } {
  let script: HookScript;
  if (hooks.script_inline !== undefined) {
    script = { text: hooks.script_inline, filename: `${source}.inline.js` };
  } else {
    const path = scriptPath(hooks.script!, global);
    try {
      script = { text: readBoundedFile(path, MAX_SCRIPT_BYTES).toString('utf8'), filename: path };
    } catch (err) {
      const reason = err instanceof BoundedReadError ? err.message : String(err);
      return { problem: { key: 'script', message: `hook script ${path} ${reason}`, hint: `a relative script is read from global.hooks.path (${global.path}); give an absolute path or fix the path` } };
    }
  }
  try {
    new vm.Script(script.text, { filename: script.filename });
  } catch (err) {
    const where = syntaxErrorLine(err);
    return {
      problem: {
        key: hooks.script_inline !== undefined ? 'script_inline' : 'script',
        message: `hook script ${script.filename}${where === undefined ? '' : ` line ${where}`} does not compile: ${(err as Error).message}`,
        hint: 'hooks are plain JavaScript (no import/export); check the script with node --check',
      },
    };
  }
  return { script };
}

/** The line of a SyntaxError from vm.Script, whose stack starts with `file:line`. */
function syntaxErrorLine(err: unknown): number | undefined {
  const first = err instanceof Error ? err.stack?.split('\n')[0] : undefined;
  const line = first?.match(/:(\d+)$/)?.[1];
  return line === undefined ? undefined : Number(line);
}
