/** Messages between a source's hook runner (main thread) and its sandbox worker. */

export const HOOK_NAMES = ['getAuth', 'buildRequest', 'parseResponse', 'getNextPage', 'commitState'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface SandboxOptions {
  /** The script's text and the name its stack frames and errors show. */
  script: string;
  filename: string;
  allowNetwork: boolean;
  allowFs: boolean;
}

/** A hook's fetch() as it crosses the thread boundary: the main thread sends it (see HookFetch). */
export interface HookFetchRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body: string | null;
}

export type ToWorker =
  | { type: 'call'; id: number; hook: HookName; args: string }
  /** The answer to a `fetch` message: the response as JSON text, or why there is none. */
  | { type: 'fetch-result'; fetchId: number; failure: string | null; value: string | null };

export type HookFailure = {
  /** `denied`: the hook reached for fetch, require or process without the permission. */
  kind: 'threw' | 'denied' | 'result';
  message: string;
  /** file:line:column of the hook's frame, when known. */
  at?: string;
};

export type FromWorker =
  /** The script compiled; its top level runs now (the load timeout starts). */
  | { type: 'loading' }
  | { type: 'ready'; defined: HookName[] }
  | { type: 'load-error'; failure: HookFailure }
  | { type: 'result'; id: number; value: string }
  | { type: 'failure'; id: number; failure: HookFailure }
  | { type: 'console'; id: number; level: ConsoleLevel; text: string }
  /** A hook called fetch(); the worker has no network of its own. */
  | { type: 'fetch'; fetchId: number; request: HookFetchRequest };

export type ConsoleLevel = 'debug' | 'info' | 'warn' | 'error';
