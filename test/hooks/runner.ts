import pino from 'pino';
import { HookRunner } from '../../src/hooks/sandbox/runner.js';
import type { HooksGlobalConfig } from '../../src/config/hooks-schema.js';
import { captureStream } from '../helpers/log-capture.js';

export type Limits = Pick<HooksGlobalConfig, 'timeout_secs' | 'memory_limit_mb' | 'allow_network' | 'allow_fs'>;
const LIMITS: Limits = { timeout_secs: 2, memory_limit_mb: 64, allow_network: false, allow_fs: false };

/** A real sandbox for `script`, stopped when the test ends, and the log lines it wrote. */
export function sandbox(t: { after(fn: () => unknown): void }, script: string, limits: Partial<Limits> = {}, source = 'src'): { runner: HookRunner; log: () => Record<string, unknown>[] } {
  const capture = captureStream();
  const runner = new HookRunner({ source, script, filename: `${source}.js`, limits: { ...LIMITS, ...limits }, log: pino({ level: 'debug' }, capture.stream).child({ source }) });
  t.after(() => runner.close());
  return { runner, log: () => capture.lines() };
}

export const signal = new AbortController().signal;

/** The HelError code a promise rejects with (fails the test if it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: string; message: string; context?: { hint?: string } };
    return { code: e.code ?? 'none', message: e.message, hint: e.context?.hint };
  }
  throw new Error('expected the call to fail');
}
