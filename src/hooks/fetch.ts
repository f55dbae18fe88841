import type { Bulkhead } from '../resilience/bulkhead.js';
import type { HookFetchRequest } from './sandbox/protocol.js';

/** A fetch() response body lands in the hook's heap whole: a larger one fails the fetch. */
export const MAX_HOOK_FETCH_BYTES = 16 * 1024 * 1024;

/** Sends a hook's fetch() and answers the response as the JSON text the sandbox turns into a Response. */
export type HookFetch = (request: HookFetchRequest, signal: AbortSignal) => Promise<string>;

export interface HookNetwork {
  /** The source's `bulkhead.max_concurrent_requests` slots, shared with its page and token requests. */
  bulkhead?: Bulkhead;
  /** Set under `--replay-dir`: a replay sends nothing to the network, so fetch() is refused with this reason. */
  offline?: string;
}

/**
 * A source's hook fetch(): sent from the main thread, so the source's rules hold for it as for its
 * own requests. Its failures are plain Errors: their message becomes the hook's `fetch failed: …`.
 */
export function hookFetch(network: HookNetwork = {}): HookFetch {
  return async (request, signal) => {
    if (network.offline !== undefined) throw new Error(network.offline);
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`only http and https URLs can be fetched, not ${url.protocol}`);
    const send = () => fetchText(url, request, signal);
    return network.bulkhead === undefined ? send() : network.bulkhead.run(send, signal);
  };
}

async function fetchText(url: URL, request: HookFetchRequest, signal: AbortSignal): Promise<string> {
  const response = await fetch(url, { method: request.method, headers: request.headers, body: request.body ?? undefined, redirect: 'follow', signal });
  const chunks: Buffer[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      size += (chunk as Uint8Array).length;
      // Leaving the loop by the throw cancels the body: the rest is never read.
      if (size > MAX_HOOK_FETCH_BYTES) throw new Error(`the response is larger than ${MAX_HOOK_FETCH_BYTES / 1024 / 1024} MiB`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  }
  return JSON.stringify({
    status: response.status,
    statusText: response.statusText,
    url: response.url,
    redirected: response.redirected,
    headers: [...response.headers].map(([k, v]) => [k.toLowerCase(), v]),
    body: Buffer.concat(chunks).toString('utf8'),
  });
}
