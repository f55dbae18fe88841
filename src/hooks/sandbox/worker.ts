/**
 * The sandbox of one source's hooks: a worker thread (its own V8 heap, capped by resourceLimits,
 * and stoppable by the main thread whatever the hook does) in which every hook call gets a fresh
 * `node:vm` context. See docs/hooks.md, "How the sandbox works, and why this one".
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { BOOTSTRAP } from './bootstrap.js';
import { HOOK_NAMES, type ConsoleLevel, type FromWorker, type HookFailure, type HookFetchRequest, type HookName, type SandboxOptions, type ToWorker } from './protocol.js';

/** Files a hook may read land in the hook's heap (fetch() bodies are capped by the main thread). */
const MAX_BYTES = 16 * 1024 * 1024;
/** Console lines one call may log; the rest are dropped with one notice. */
const MAX_CONSOLE_LINES = 200;
const CONSOLE_LEVELS = new Set<ConsoleLevel>(['debug', 'info', 'warn', 'error']);

const options = workerData as SandboxOptions;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
/** fetch() calls sent to the main thread, waiting for their answer. */
const fetches = new Map<number, (failure: string | null, value: string | null) => void>();
let nextFetchId = 1;

interface Installed {
  describe(error: unknown): string;
  run(fn: unknown, argsJson: string): void;
}
type Install = (bridge: Record<string, unknown>) => Installed;

hardenRealm();

const bootstrap = new vm.Script(BOOTSTRAP, { filename: 'hel-hooks-bootstrap.js' });
/** A context only for the errors that import() throws, so even they belong to a sandboxed realm. */
const errorRealm = vm.createContext(Object.create(null) as object, { codeGeneration: { strings: false, wasm: false } });
const importDenied = vm.runInContext("(function () { 'use strict'; return function () { return new Error('import() is not available to hooks'); }; })()", errorRealm) as () => Error;
const finders = Object.fromEntries(HOOK_NAMES.map((name) => [name, new vm.Script(`typeof ${name} === 'function' ? ${name} : undefined`)])) as Record<HookName, vm.Script>;

let script: vm.Script;
try {
  script = new vm.Script(options.script, {
    filename: options.filename,
    importModuleDynamically: (() => {
      throw importDenied();
    }) as unknown as vm.ScriptOptions['importModuleDynamically'],
  });
  const loaded = freshContext(undefined);
  post({ type: 'loading' });
  script.runInContext(loaded.context);
  post({ type: 'ready', defined: HOOK_NAMES.filter((name) => finders[name].runInContext(loaded.context) !== undefined) });
} catch (error) {
  post({ type: 'load-error', failure: failureOf(error, undefined) });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'call') call(message.id, message.hook, message.args);
  else if (message.type === 'fetch-result') {
    const answer = fetches.get(message.fetchId);
    fetches.delete(message.fetchId);
    answer?.(message.failure, message.value);
  }
});

function call(id: number, hook: HookName, args: string): void {
  let finished = false;
  const finish = (message: FromWorker) => {
    if (finished) return;
    finished = true;
    post(message);
  };
  const sandbox = freshContext(id, (failure, value) => {
    if (typeof failure === 'string') finish({ type: 'failure', id, failure: failureOf(JSON.parse(failure), undefined) });
    else if (typeof value === 'string') finish({ type: 'result', id, value });
  });
  try {
    script.runInContext(sandbox.context);
    sandbox.installed.run(finders[hook].runInContext(sandbox.context), args);
  } catch (error) {
    finish({ type: 'failure', id, failure: failureOf(error, sandbox.installed) });
  }
}

function freshContext(id: number | undefined, done?: (failure: unknown, value: unknown) => void): { context: vm.Context; installed: Installed } {
  const context = vm.createContext(Object.create(null) as object, { name: options.filename, codeGeneration: { strings: false, wasm: false } });
  let lines = 0;
  const install = bootstrap.runInContext(context) as Install;
  const installed = install({
    log: (level: unknown, text: unknown) => {
      if (id === undefined || typeof text !== 'string' || !CONSOLE_LEVELS.has(level as ConsoleLevel)) return;
      lines++;
      if (lines <= MAX_CONSOLE_LINES) post({ type: 'console', id, level: level as ConsoleLevel, text });
      else if (lines === MAX_CONSOLE_LINES + 1) post({ type: 'console', id, level: 'warn', text: `further console output of this call dropped (more than ${MAX_CONSOLE_LINES} lines)` });
    },
    done: (failure: unknown, value: unknown) => done?.(failure, value),
    fetch: options.allowNetwork ? fetchBridge : undefined,
    fs: options.allowFs ? fsBridge : undefined,
  });
  return { context, installed };
}

/**
 * fetch() for hooks: the worker has no network of its own. The request crosses to the main thread,
 * which sends it under the source's rules (its bulkhead; none at all under --replay-dir), and the
 * whole (bounded) response comes back as JSON text.
 */
function fetchBridge(requestJson: unknown, reply: unknown): void {
  if (typeof requestJson !== 'string' || typeof reply !== 'function') return;
  const fetchId = nextFetchId++;
  fetches.set(fetchId, (failure, value) => {
    try {
      (reply as (f: string | null, v: string | null) => void)(failure === null ? null : `fetch failed: ${failure}`, value);
    } catch {
      // The hook's own promise machinery failed; its call ends by its timeout.
    }
  });
  post({ type: 'fetch', fetchId, request: JSON.parse(requestJson) as HookFetchRequest });
}

/** require('fs') for hooks: text files only, answered as JSON text `{ok, value | error}`. */
function fsBridge(op: unknown, path: unknown, data: unknown): string {
  if (typeof op !== 'string' || typeof path !== 'string') return JSON.stringify({ ok: false, error: 'invalid call' });
  const text = typeof data === 'string' ? data : '';
  try {
    switch (op) {
      case 'read': {
        const size = statSync(path).size;
        if (size > MAX_BYTES) throw new Error(`${path} is larger than ${MAX_BYTES / 1024 / 1024} MiB`);
        return JSON.stringify({ ok: true, value: readFileSync(path, 'utf8') });
      }
      case 'write':
        writeFileSync(path, text, 'utf8');
        return JSON.stringify({ ok: true, value: null });
      case 'append':
        appendFileSync(path, text, 'utf8');
        return JSON.stringify({ ok: true, value: null });
      case 'exists':
        return JSON.stringify({ ok: true, value: existsSync(path) });
      case 'list':
        return JSON.stringify({ ok: true, value: readdirSync(path) });
      case 'delete':
        unlinkSync(path);
        return JSON.stringify({ ok: true, value: null });
      default:
        return JSON.stringify({ ok: false, error: `unknown operation ${op}` });
    }
  } catch (err) {
    return JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}

/** A failure as the main thread reports it: denied access is told apart from a hook's own error. */
function failureOf(error: unknown, installed: Installed | undefined): HookFailure {
  let described: { name?: unknown; message?: unknown; stack?: unknown };
  try {
    described = installed ? (JSON.parse(installed.describe(error)) as typeof described) : (error as typeof described);
  } catch {
    described = { message: 'the hook failed in a way that cannot be shown' };
  }
  const text = (value: unknown, otherwise: string) => (typeof value === 'string' ? value : otherwise);
  const name = text(described?.name, 'Error');
  const message = text(described?.message, '');
  const stack = text(described?.stack, '');
  const at = stack
    .split('\n')
    .map((line) => line.match(/\(?([^\s()]+:\d+:\d+)\)?\s*$/)?.[1])
    .find((loc) => loc !== undefined && loc.startsWith(options.filename));
  const denied = name === 'ReferenceError' && /^(fetch|require|process) is not defined$/.test(message);
  return { kind: denied ? 'denied' : 'threw', message: name === 'Error' || message.startsWith(name) ? message : `${name}: ${message}`, at };
}

/**
 * A second wall: should some object of this realm still reach hook code, its constructor chain
 * ends in a function that refuses to compile code, so it cannot be turned into `process`.
 */
function hardenRealm(): void {
  const refuse = function () {
    throw new Error('code generation is not available to hooks');
  };
  for (const sample of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    Object.defineProperty(Object.getPrototypeOf(sample), 'constructor', { value: refuse, writable: false, configurable: false });
  }
}
