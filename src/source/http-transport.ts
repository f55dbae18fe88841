import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { HelError, cancelled, isHelError } from '../errors.js';
import { redactUrl } from './redact-url.js';
import type { HttpRequest, HttpResponse, HttpTransport, RequestContext, TransportEvents } from './transport.js';

export interface HttpTransportOptions {
  /** Bounds the whole request: connect, headers and the entire body. */
  timeoutMs: number;
  /** Larger bodies fail with HEL_RESPONSE_PARSE instead of filling memory. */
  maxResponseBytes?: number;
  /** Defaults to one process-wide agent, so connections are reused across pages, polls and sources. */
  dispatcher?: Dispatcher;
  events?: TransportEvents;
}

/** Errors meaning the host could not be reached at all: usually a wrong URL or region. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const UNREACHABLE_HINT = 'check the URL / region, DNS and any proxy (HTTPS_PROXY / NO_PROXY)';

/** A keep-alive agent that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) from `env`. */
export function createDispatcher(env: NodeJS.ProcessEnv = process.env): Dispatcher {
  return new EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY ?? env.http_proxy ?? '',
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy ?? '',
    noProxy: env.NO_PROXY ?? env.no_proxy ?? '',
  });
}

let sharedDispatcher: Dispatcher | undefined;

function defaultDispatcher(): Dispatcher {
  sharedDispatcher ??= createDispatcher();
  return sharedDispatcher;
}

function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e = err; typeof e === 'object' && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
  }
  return undefined;
}

function networkError(err: unknown, req: HttpRequest, context: RequestContext): HelError {
  const code = errorCode(err) ?? 'unknown';
  const url = redactUrl(req.url);
  const host = URL.canParse(req.url) ? new URL(req.url).host : '<invalid url>';
  const message = UNREACHABLE.has(code) ? `cannot connect to ${host} (${code})` : `connection to ${host} failed (${code})`;
  const hint = UNREACHABLE.has(code) ? UNREACHABLE_HINT : 'a network problem or a proxy closed the connection; it is retried';
  return new HelError('HEL_NETWORK', message, { source: context.source, url, attempt: context.attempt, hint }, { cause: err });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readBody(body: AsyncIterable<Buffer> & { destroy(): void }, cap: number | undefined): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (cap !== undefined && size > cap) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The base transport: one HTTP request over undici. Non-2xx statuses come back as responses
 * (the retry wrapper classifies them); only failures to get a whole response throw.
 * Redirects are not followed, so credentials never leave the configured host.
 */
export function httpTransport(options: HttpTransportOptions): HttpTransport {
  return {
    async send(req, context) {
      if (context.signal.aborted) throw cancelled(context.source);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = AbortSignal.any([context.signal, timeout]);
      const started = performance.now();
      try {
        const res = await request(req.url, {
          dispatcher: options.dispatcher ?? defaultDispatcher(),
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal,
        });
        const body = await readBody(res.body, options.maxResponseBytes);
        // undici frees the socket a tick after the body ends; without this, a page sent right
        // after the previous one finds it busy and opens a second connection.
        await new Promise((resolve) => setImmediate(resolve));
        if (body === undefined) {
          throw new HelError('HEL_RESPONSE_PARSE', `response larger than ${options.maxResponseBytes} bytes`, {
            source: context.source,
            url: redactUrl(req.url),
            attempt: context.attempt,
            status: res.statusCode,
            hint: 'ask the API for smaller pages (e.g. a lower limit)',
          });
        }
        const response: HttpResponse = { status: res.statusCode, headers: flattenHeaders(res.headers), body, url: req.url };
        options.events?.onResponse?.({ source: context.source, status: response.status, durationMs: performance.now() - started, url: redactUrl(req.url) });
        return response;
      } catch (err) {
        if (context.signal.aborted) throw cancelled(context.source);
        if (timeout.aborted) {
          throw new HelError('HEL_TIMEOUT', `no complete response within ${options.timeoutMs / 1000} s`, {
            source: context.source,
            url: redactUrl(req.url),
            attempt: context.attempt,
            hint: 'the server or network is slow; raise resilience.timeout_secs if this persists',
          });
        }
        if (isHelError(err)) throw err;
        throw networkError(err, req, context);
      }
    },
  };
}
