import { EnvHttpProxyAgent, request, type Agent, type Dispatcher } from 'undici';
import { HelError, cancelled, isHelError } from '../errors.js';
import { redactUrl } from './redact-url.js';
import type { TlsOptions } from './tls.js';
import type { Emitter } from '../bus/event-bus.js';
import type { HttpRequest, HttpResponse, HttpTransport, RequestContext, TransportEventMap } from './transport.js';

export interface HttpTransportOptions {
  /** Bounds the whole request: connect, headers and the entire body. */
  timeoutMs: number;
  /** `timeouts.read_secs`: the longest wait for the headers or for the next piece of the body. */
  readTimeoutMs?: number;
  /** Larger 2xx bodies fail with HEL_RESPONSE_TOO_LARGE as soon as the cap is passed; error bodies are cut to 64 KiB. */
  maxResponseBytes?: number;
  /** Defaults to one process-wide agent, so connections are reused across pages, polls and sources. */
  dispatcher?: Dispatcher;
  events?: Emitter<TransportEventMap>;
}

/** Errors meaning the host could not be reached at all: usually a wrong URL or region. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const UNREACHABLE_HINT = 'check the URL / region, DNS and any proxy (HTTPS_PROXY / NO_PROXY)';

/** What a source's own agent changes: TLS (`resilience.tls`), connect and idle timeouts (`resilience.timeouts`). */
export interface AgentSettings {
  tls?: TlsOptions;
  connectTimeoutMs?: number;
  /** How long an idle connection stays in the pool. */
  idleMs?: number;
}

/**
 * A keep-alive agent that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) from `env`.
 * TLS settings apply to the API's host directly and through a proxy's tunnel alike.
 */
export function createDispatcher(env: NodeJS.ProcessEnv = process.env, settings: AgentSettings = {}): Dispatcher {
  const connect: Agent.Options['connect'] = { ...settings.tls, ...(settings.connectTimeoutMs === undefined ? {} : { timeout: settings.connectTimeoutMs }) };
  return new EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY ?? env.http_proxy ?? '',
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy ?? '',
    noProxy: env.NO_PROXY ?? env.no_proxy ?? '',
    connect,
    ...(settings.tls === undefined ? {} : { requestTls: settings.tls }),
    // The server's Keep-Alive hint may not stretch it: idle_secs is the ceiling too.
    ...(settings.idleMs === undefined ? {} : { keepAliveTimeout: settings.idleMs, keepAliveMaxTimeout: settings.idleMs }),
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

/** OpenSSL's verification failures: the server's certificate chain is not trusted. */
const UNTRUSTED = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;
const HANDSHAKE = /^ERR_SSL_|^ERR_TLS_|^EPROTO$/;

function tlsError(code: string, host: string, req: HttpRequest, context: RequestContext, err: unknown): HelError | undefined {
  const where = { source: context.source, url: redactUrl(req.url), attempt: context.attempt };
  if (UNTRUSTED.test(code)) {
    return new HelError(
      'HEL_TLS',
      `the TLS certificate of ${host} is not trusted (${code})`,
      {
        ...where,
        hint:
          code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH'
            ? 'the certificate is for another host name: check the URL'
            : "if the server uses a private CA, set resilience.tls.ca_file (or ca_env) to that CA's certificate (docs/tls.md)",
      },
      { cause: err },
    );
  }
  if (!HANDSHAKE.test(code)) return undefined;
  const hint = /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE|CERTIFICATE_UNKNOWN/.test(code)
    ? 'the server may require a client certificate it trusts: check resilience.tls.client_cert_* and client_key_* (docs/tls.md)'
    : /VERSION|PROTOCOL/.test(code)
      ? 'the server and Hel share no TLS version: check resilience.tls.min_version (docs/tls.md)'
      : "check resilience.tls (docs/tls.md) and the server's TLS setup";
  return new HelError('HEL_TLS', `the TLS handshake with ${host} failed (${code})`, { ...where, hint }, { cause: err });
}

function networkError(err: unknown, req: HttpRequest, context: RequestContext): HelError {
  const code = errorCode(err) ?? 'unknown';
  const url = redactUrl(req.url);
  const host = URL.canParse(req.url) ? new URL(req.url).host : '<invalid url>';
  const tls = tlsError(code, host, req, context, err);
  if (tls !== undefined) return tls;
  if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new HelError(
      'HEL_TIMEOUT',
      `the server sent nothing for longer than timeouts.read_secs while ${code === 'UND_ERR_BODY_TIMEOUT' ? 'sending the body' : 'Hel waited for the headers'}`,
      {
        source: context.source,
        url,
        attempt: context.attempt,
        hint: 'the server or network is slow; raise resilience.timeouts.read_secs if this persists',
      },
      { cause: err },
    );
  }
  const message = UNREACHABLE.has(code) ? `cannot connect to ${host} (${code})` : `connection to ${host} failed (${code})`;
  // A TLS 1.3 server that refuses the client certificate may just close the connection after the handshake.
  const mtls =
    req.url.startsWith('https:') && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')
      ? '; if the server requires a client certificate (mutual TLS), set resilience.tls.client_cert_* and client_key_* (docs/tls.md)'
      : '';
  const hint = UNREACHABLE.has(code) ? UNREACHABLE_HINT : `a network problem or a proxy closed the connection; it is retried${mtls}`;
  return new HelError('HEL_NETWORK', message, { source: context.source, url, attempt: context.attempt, hint }, { cause: err });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Of an error response only the start is kept: enough for the server's message, never a flood. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Reads the body as it streams in and stops the moment it passes `cap`: the connection is
 * destroyed, so memory never holds more than the cap whatever the server sends. Returns
 * `undefined` when the cap was passed, or a truncated body when `truncate` is set.
 */
async function readBody(body: AsyncIterable<Buffer> & { destroy(): void }, cap: number | undefined, truncate = false): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (cap !== undefined && size + chunk.length > cap) {
      body.destroy();
      if (!truncate) return undefined;
      chunks.push(chunk.subarray(0, cap - size));
      return Buffer.concat(chunks, cap);
    }
    size += chunk.length;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(cap: number, received: string, req: HttpRequest, context: RequestContext, status: number): HelError {
  return new HelError('HEL_RESPONSE_TOO_LARGE', `the response is larger than max_response_bytes (${cap} bytes): ${received}; the request was abandoned`, {
    source: context.source,
    url: redactUrl(req.url),
    attempt: context.attempt,
    status,
    hint: 'ask the API for smaller pages (a lower limit), or raise max_response_bytes for this source (docs/resilience.md, "Response size cap")',
  });
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
          ...(options.readTimeoutMs === undefined ? {} : { headersTimeout: options.readTimeoutMs, bodyTimeout: options.readTimeoutMs }),
        });
        const cap = options.maxResponseBytes;
        const ok = res.statusCode >= 200 && res.statusCode <= 299;
        const announced = Number(res.headers['content-length']);
        if (ok && cap !== undefined && Number.isFinite(announced) && announced > cap) {
          // Destroying an unread body emits an abort error nobody else listens to.
          res.body.on('error', () => undefined).destroy();
          throw tooLarge(cap, `Content-Length is ${announced} bytes`, req, context, res.statusCode);
        }
        const body = await readBody(res.body, ok ? cap : Math.min(cap ?? MAX_ERROR_BODY_BYTES, MAX_ERROR_BODY_BYTES), !ok);
        // undici frees the socket a tick after the body ends; without this, a page sent right
        // after the previous one finds it busy and opens a second connection.
        await new Promise((resolve) => setImmediate(resolve));
        if (body === undefined) throw tooLarge(cap!, `more than ${cap} bytes arrived`, req, context, res.statusCode);
        const response: HttpResponse = { status: res.statusCode, headers: flattenHeaders(res.headers), body, url: req.url };
        options.events?.emit('http.response', { source: context.source, status: response.status, durationMs: performance.now() - started, url: redactUrl(req.url) });
        return response;
      } catch (err) {
        if (context.signal.aborted) throw cancelled(context.source);
        if (timeout.aborted) {
          throw new HelError('HEL_TIMEOUT', `no complete response within ${options.timeoutMs / 1000} s`, {
            source: context.source,
            url: redactUrl(req.url),
            attempt: context.attempt,
            hint: 'the server or network is slow; raise resilience.timeout_secs (or timeouts.request_secs) if this persists',
          });
        }
        if (isHelError(err)) throw err;
        throw networkError(err, req, context);
      }
    },
  };
}
