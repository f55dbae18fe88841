import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { SourceConfig } from '../config/schema.js';
import { budgetTransport, type BudgetRegistry } from '../resilience/budget.js';
import { bulkheadTransport, type Bulkhead } from '../resilience/bulkhead.js';
import type { Random } from '../resilience/backoff.js';
import { headerWaitCapMs, rateLimitHeadersTransport } from '../resilience/rate-limit-headers.js';
import { retryTransport } from '../resilience/retry.js';
import { TokenBucket, tokenBucketTransport } from '../resilience/token-bucket.js';
import type { Advisor } from '../http/failure.js';
import { authTransport } from '../http/auth/auth-transport.js';
import type { SecretReader } from '../secrets/resolver.js';
import { createDispatcher, httpTransport } from '../http/http-transport.js';
import { tlsOptions } from '../http/tls.js';
import type { Emitter } from '../bus/event-bus.js';
import type { HttpTransport, TransportEventMap } from '../http/transport.js';

export interface ComposeOptions {
  /** Source name, for budgets keyed per source. */
  source: string;
  config: Pick<SourceConfig, 'auth' | 'resilience'> & { max_response_bytes?: number };
  secrets: SecretReader;
  clock: Clock;
  /** One registry per process, shared by every source, so named budgets are shared. */
  budgets: BudgetRegistry;
  /** The runtime's event bus: responses, retries, rate-limit waits and given-up requests are reported there. */
  events?: Emitter<TransportEventMap>;
  /** Replaces the undici transport (replay, tests). */
  base?: HttpTransport;
  /** Wraps the undici transport, keeping the source's TLS and timeouts (recording). */
  wrapBase?: (inner: HttpTransport) => HttpTransport;
  /** Replaces the agent (tests); by default the process-wide one, or the source's own when it sets tls, connect_secs or idle_secs. */
  dispatcher?: Dispatcher;
  random?: Random;
  /** The source's integration's hints for failed requests. */
  advise?: Advisor;
  /**
   * `bulkhead.max_concurrent_requests` (the source's, else global): requests of this source on the
   * wire at once — pages and token requests here, and its hooks' fetch() calls, which share it.
   */
  bulkhead?: Bulkhead;
}

/**
 * A source's own agent when its TLS or connection timeouts differ from the shared one's, which
 * `secrets.env` also gives the proxy settings. Connect defaults to min(10 s, the request timeout).
 */
function sourceDispatcher(options: ComposeOptions): Dispatcher | undefined {
  const { tls, timeouts } = options.config.resilience;
  if (options.dispatcher !== undefined || (tls === undefined && timeouts?.connect_secs === undefined && timeouts?.idle_secs === undefined)) return options.dispatcher;
  const requestSecs = timeouts?.request_secs ?? options.config.resilience.timeout_secs;
  return createDispatcher(options.secrets.env, {
    tls: tls === undefined ? undefined : tlsOptions(tls, options.secrets.env, options.source),
    connectTimeoutMs: (timeouts?.connect_secs ?? Math.min(10, requestSecs)) * 1000,
    idleMs: timeouts?.idle_secs === undefined ? undefined : timeouts.idle_secs * 1000,
  });
}

/**
 * Builds a source's request path, outermost first:
 *
 *   retry → auth → rate-limit headers → budget → token bucket → bulkhead → base
 *
 * - retry is outermost so every attempt goes through everything below it again;
 * - auth is inside retry so each attempt gets a current OAuth2 token, and its single
 *   re-send after a 401 still passes the rate-limit pause and the budget;
 * - the rate-limit pause comes before the budget so a request that must wait for a server reset
 *   does not hold a budget slot meanwhile;
 * - the budget sits just above the wire, so it counts exactly the requests the server sees,
 *   retries included. OAuth2 token requests skip it: another host, another limit. They still take
 *   a slot of the source's bulkhead, which caps everything the source has on the wire.
 *
 * The circuit breaker is not in this chain: it counts polls, so the engine consults it per poll.
 */
export function composeTransport(options: ComposeOptions): HttpTransport {
  const { config, clock, events } = options;
  const resilience = config.resilience;
  const wrap = options.wrapBase ?? ((inner: HttpTransport) => inner);
  const base =
    options.base ??
    wrap(
      httpTransport({
        timeoutMs: (resilience.timeouts?.request_secs ?? resilience.timeout_secs) * 1000,
        readTimeoutMs: resilience.timeouts?.read_secs === undefined ? undefined : resilience.timeouts.read_secs * 1000,
        maxResponseBytes: config.max_response_bytes,
        dispatcher: sourceDispatcher(options),
        events,
      }),
    );
  const capMs = headerWaitCapMs(resilience.retries.max_backoff_secs);
  const rateLimit = resilience.rate_limit;

  // Innermost, so a slot is held only while a request is on the wire, never during a backoff or a budget wait.
  const slotted = options.bulkhead === undefined ? base : bulkheadTransport(base, options.bulkhead);
  let chain = slotted;
  if (rateLimit.max_requests_per_second !== undefined) {
    const burst = rateLimit.burst_size ?? Math.ceil(rateLimit.max_requests_per_second);
    chain = tokenBucketTransport(chain, new TokenBucket(clock, rateLimit.max_requests_per_second, burst));
  }
  const budget = options.budgets.budgetFor(options.source, rateLimit);
  if (budget !== undefined) chain = budgetTransport(chain, budget);
  if (rateLimit.respect_headers || rateLimit.adaptive === true) {
    chain = rateLimitHeadersTransport(chain, { clock, capMs, events, names: rateLimit.headers, adaptive: rateLimit.adaptive });
  }
  const unauthenticated = chain;
  const authenticated = authTransport(chain, config.auth, options.secrets, { clock, tokenTransport: slotted, advise: options.advise });
  // A request shaped by a JS hook's buildRequest carries the hook's credentials instead (Helr's rule).
  chain = { send: (request, context) => (context.hookCredentials ? unauthenticated : authenticated).send(request, context) };
  return retryTransport(chain, {
    retries: resilience.retries,
    clock,
    respectHeaders: rateLimit.respect_headers,
    headerWaitCapMs: capMs,
    quotaHeaders: rateLimit.headers,
    random: options.random,
    events,
    advise: options.advise,
  });
}
