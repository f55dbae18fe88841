import { Worker } from 'node:worker_threads';
import { HelError, cancelled } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import type { HooksGlobalConfig } from '../../config/hooks-schema.js';
import { hookFetch, type HookFetch } from '../fetch.js';
import type { FromWorker, HookFailure, HookFetchRequest, HookName, SandboxOptions, ToWorker } from './protocol.js';

export interface HookRunnerOptions {
  source: string;
  script: string;
  /** How the script is named in errors and stack frames (its file name, or `<source>.inline.js`). */
  filename: string;
  limits: Pick<HooksGlobalConfig, 'timeout_secs' | 'memory_limit_mb' | 'allow_network' | 'allow_fs'>;
  /** The source's logger: hooks' console output goes there with a `hook_console` field. */
  log: Logger;
  /** Sends the hooks' fetch() calls (with allow_network); by default straight to the network. */
  fetch?: HookFetch;
}

interface Pending {
  hook: HookName;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Sandbox {
  worker: Worker;
  ready: Promise<ReadonlySet<HookName>>;
  /** Settles `ready`; once settled, further calls are no-ops. */
  loaded: { resolve(defined: ReadonlySet<HookName>): void; reject(error: unknown): void };
  pending: Map<number, Pending>;
  /** Aborts the fetch() calls in flight when the sandbox stops. */
  network: AbortController;
}

/** Heap for new objects; the old generation gets the rest of memory_limit_mb. */
const YOUNG_GENERATION_MB = 4;

/**
 * Runs one source's hooks in its own worker thread. The worker starts on the first call and is
 * replaced after it was stopped (a timeout, the memory limit), so one runaway hook costs its own
 * poll and nothing else: other sources have their own workers, and the main thread never runs
 * hook code.
 */
export class HookRunner {
  private sandbox: Sandbox | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: HookRunnerOptions) {}

  /** The hooks the script defines (loading it in the sandbox, under the call timeout). */
  async defined(): Promise<ReadonlySet<HookName>> {
    return this.start().ready;
  }

  /** Calls one hook with JSON arguments and returns its (awaited) JSON result. */
  async call(hook: HookName, args: unknown[], signal: AbortSignal): Promise<unknown> {
    if (signal.aborted) throw cancelled(this.options.source);
    const sandbox = this.start();
    await sandbox.ready;
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.stop(sandbox, { id, error: this.timedOut(hook) }), this.options.limits.timeout_secs * 1000);
      const onAbort = () => settle(() => reject(cancelled(this.options.source)));
      const settle = (then: () => void) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        sandbox.pending.delete(id);
        then();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      sandbox.pending.set(id, { hook, resolve: (value) => settle(() => resolve(value)), reject: (error) => settle(() => reject(error)) });
      sandbox.worker.postMessage({ type: 'call', id, hook, args: JSON.stringify(args) } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    sandbox?.network.abort();
    if (sandbox) await sandbox.worker.terminate();
  }

  private start(): Sandbox {
    if (this.closed) throw cancelled(this.options.source);
    if (this.sandbox) return this.sandbox;
    const { limits } = this.options;
    const workerData: SandboxOptions = { script: this.options.script, filename: this.options.filename, allowNetwork: limits.allow_network, allowFs: limits.allow_fs };
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData,
      // import() inside a vm context then asks the worker, which refuses with an error of the sandbox.
      execArgv: ['--experimental-vm-modules', '--no-warnings'],
      // The worker needs no environment (ctx.env is sent per call) and never writes to Hel's stdout.
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: limits.memory_limit_mb - YOUNG_GENERATION_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, stackSizeMb: 4 },
    });
    worker.unref();
    const pending = new Map<number, Pending>();
    let loaded!: Sandbox['loaded'];
    const ready = new Promise<ReadonlySet<HookName>>((resolve, reject) => (loaded = { resolve, reject }));
    const sandbox: Sandbox = { worker, pending, ready, loaded, network: new AbortController() };
    // A script whose top level never returns is stopped like a hook call; the clock starts when that
    // top level starts, so a slow thread start on a busy machine is not charged to the script.
    let loadTimer: NodeJS.Timeout | undefined;
    sandbox.ready.then(
      () => clearTimeout(loadTimer),
      () => clearTimeout(loadTimer),
    );
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'loading':
          loadTimer = setTimeout(() => this.stop(sandbox, { error: this.timedOut('load') }), limits.timeout_secs * 1000);
          return;
        case 'ready':
          loaded.resolve(new Set(message.defined));
          return;
        case 'load-error':
          this.stop(sandbox, { error: this.failed('load', message.failure) });
          return;
        case 'console':
          this.console(pending.get(message.id)?.hook, message.level, message.text);
          return;
        case 'result':
          pending.get(message.id)?.resolve(JSON.parse(message.value));
          return;
        case 'failure': {
          const call = pending.get(message.id);
          call?.reject(this.failed(call.hook, message.failure));
          return;
        }
        case 'fetch':
          this.fetch(sandbox, message.fetchId, message.request);
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      this.stop(sandbox, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out-of-memory' : { error: this.crashed(err.message) });
    });
    worker.on('exit', () => this.stop(sandbox, { error: this.crashed('it stopped') }));
    this.sandbox = sandbox;
    return sandbox;
  }

  /**
   * Ends a sandbox and fails what it was running. `cause` names the call that overran (its own
   * error; the others were stopped with it), or the memory limit that every call shares. The next
   * call starts a new worker.
   */
  private stop(sandbox: Sandbox, cause: { id?: number; error: HelError } | 'out-of-memory'): void {
    if (this.sandbox === sandbox) this.sandbox = undefined;
    const failure = (hook: HookName | 'load', id?: number): HelError => {
      if (cause === 'out-of-memory') return this.outOfMemory(hook);
      if (id === undefined || id === cause.id) return cause.error;
      return new HelError(cause.error.code, `hook ${hook} of ${this.options.filename} was stopped with its sandbox: ${cause.error.message}`, cause.error.context);
    };
    for (const [id, call] of sandbox.pending) call.reject(failure(call.hook, id));
    // Rejecting a settled promise is a no-op: only a sandbox still loading is failed here.
    sandbox.loaded.reject(failure('load'));
    sandbox.network.abort();
    void sandbox.worker.terminate();
  }

  /** A hook's fetch(), sent from this thread; the answer goes back only to the sandbox that asked. */
  private fetch(sandbox: Sandbox, fetchId: number, request: HookFetchRequest): void {
    const answer = (failure: string | null, value: string | null) => {
      if (this.sandbox === sandbox) sandbox.worker.postMessage({ type: 'fetch-result', fetchId, failure, value } satisfies ToWorker);
    };
    // The worker defines fetch() only with allow_network; this thread checks again all the same.
    if (!this.options.limits.allow_network) return answer('global.hooks.allow_network is false', null);
    const send = this.options.fetch ?? hookFetch();
    send(request, sandbox.network.signal).then(
      (value) => answer(null, value),
      (err: unknown) => answer(err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err), null),
    );
  }

  private console(hook: HookName | undefined, level: 'debug' | 'info' | 'warn' | 'error', text: string): void {
    this.options.log[level]({ hook_console: text, hook }, `hook console.${level === 'info' ? 'log' : level}`);
  }

  private crashed(why: string): HelError {
    return new HelError('HEL_HOOK', `the hook sandbox of ${this.options.filename} failed: ${why}`, { source: this.options.source });
  }

  private timedOut(hook: HookName | 'load'): HelError {
    const what = hook === 'load' ? `loading ${this.options.filename}` : `hook ${hook} of ${this.options.filename}`;
    return new HelError('HEL_HOOK_TIMEOUT', `${what} ran longer than ${this.options.limits.timeout_secs}s (global.hooks.timeout_secs) and was stopped`, {
      source: this.options.source,
      hint: 'look for a loop that never ends or a fetch() that waits on a slow server; raise global.hooks.timeout_secs only if the work is legitimately slow',
    });
  }

  private outOfMemory(hook: HookName | 'load'): HelError {
    const what = hook === 'load' ? `loading ${this.options.filename}` : `hook ${hook} of ${this.options.filename}`;
    return new HelError('HEL_HOOK_MEMORY', `${what} used more than ${this.options.limits.memory_limit_mb} MB (global.hooks.memory_limit_mb) and was stopped`, {
      source: this.options.source,
      hint: 'have the hook keep less in memory, or raise global.hooks.memory_limit_mb',
    });
  }

  private failed(hook: HookName | 'load', failure: HookFailure): HelError {
    const what = hook === 'load' ? `loading ${this.options.filename}` : `hook ${hook}`;
    const at = failure.at === undefined ? '' : ` (${failure.at})`;
    if (failure.kind === 'denied') {
      const name = failure.message.replace(/^ReferenceError: /, '').split(' ')[0];
      const permission = name === 'fetch' ? 'allow_network' : name === 'require' ? 'allow_fs' : undefined;
      const message = permission ? `${what} called ${name === 'fetch' ? 'fetch()' : name}, which needs global.hooks.${permission}: true${at}` : `${what} used ${name}, which hooks never get${at}`;
      return new HelError('HEL_HOOK_DENIED', message, {
        source: this.options.source,
        hint: permission ? `set global.hooks.${permission}: true to allow it` : "hooks get ctx, console, and fetch() or require('fs') when allowed; nothing of the process",
      });
    }
    return new HelError('HEL_HOOK', `${what} threw: ${failure.message}${at}`, { source: this.options.source });
  }
}
