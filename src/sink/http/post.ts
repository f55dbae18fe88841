import { request, type Dispatcher } from 'undici';
import { HelError, cancelled } from '../../errors.js';
import { createDispatcher } from '../../http/http-transport.js';
import { redactUrl } from '../../http/redact-url.js';

export interface PostResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends one POST; throws HEL_NETWORK, HEL_TIMEOUT or HEL_CANCELLED when no whole answer came. */
export type Poster = (url: string, headers: Record<string, string>, body: Buffer, signal: AbortSignal) => Promise<PostResponse>;

/** Receivers answer a batch with a few KB; a body past this is cut off as a broken answer. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export interface PosterOptions {
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

/** POSTs over undici with keep-alive, honouring HTTPS_PROXY / NO_PROXY like the sources do. */
export function undiciPoster(options: PosterOptions): Poster {
  const dispatcher = options.dispatcher ?? createDispatcher();
  return async (url, headers, body, signal) => {
    if (signal.aborted) throw cancelled();
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      const res = await request(url, { dispatcher, method: 'POST', headers, body, signal: AbortSignal.any([signal, timeout]) });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          res.body.destroy();
          throw new HelError('HEL_NETWORK', `the receiver's answer is larger than ${MAX_ANSWER_BYTES} bytes`, { url: redactUrl(url), status: res.statusCode });
        }
        chunks.push(chunk);
      }
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      return { status: res.statusCode, headers: flat, body: Buffer.concat(chunks, size) };
    } catch (err) {
      if (signal.aborted) throw cancelled();
      if (err instanceof HelError) throw err;
      if (timeout.aborted) {
        throw new HelError('HEL_TIMEOUT', `the receiver gave no complete answer within ${options.timeoutMs / 1000} s`, {
          url: redactUrl(url),
          hint: 'the receiver is slow or overloaded; raise global.output.http.timeout_secs if this persists',
        });
      }
      const code = codeOf(err);
      return Promise.reject(
        new HelError(
          'HEL_NETWORK',
          `cannot deliver to ${hostOf(url)} (${code})`,
          { url: redactUrl(url), hint: 'check that the receiver is up and the URL, DNS and any proxy (HTTPS_PROXY / NO_PROXY)' },
          { cause: err },
        ),
      );
    }
  };
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : '<invalid url>';
}

function codeOf(err: unknown): string {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
  }
  return 'error';
}
