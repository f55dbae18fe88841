import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { SourceConfig } from '../config/schema.js';
import { budgetTransport, type BudgetRegistry } from '../resilience/budget.js';
import type { Random } from '../resilience/backoff.js';
import { headerWaitCapMs, rateLimitHeadersTransport } from '../resilience/rate-limit-headers.js';
import { retryTransport } from '../resilience/retry.js';
import type { Advisor } from '../resilience/troubleshoot.js';
import { authTransport } from '../http/auth/auth-transport.js';
import type { SecretContext } from '../http/auth/read-secret.js';
import { httpTransport } from '../http/http-transport.js';
import type { HttpTransport, TransportEvents } from '../http/transport.js';

export interface ComposeOptions {
  /** Source name, for budgets keyed per source. */
  source: string;
  config: Pick<SourceConfig, 'auth' | 'resilience'> & { max_response_bytes?: number };
  secrets: SecretContext;
  clock: Clock;
  /** One registry per process, shared by every source, so named budgets are shared. */
  budgets: BudgetRegistry;
  events?: TransportEvents;
  /** Replaces the undici transport (replay, recording, tests). */
  base?: HttpTransport;
  dispatcher?: Dispatcher;
  random?: Random;
  /** The source's integration's hints for failed requests. */
  advise?: Advisor;
}

/**
 * Builds a source's request path, outermost first:
 *
 *   retry → auth → rate-limit headers → budget → base
 *
 * - retry is outermost so every attempt goes through everything below it again;
 * - auth is inside retry so each attempt gets a current OAuth2 token, and its single
 *   re-send after a 401 still passes the rate-limit pause and the budget;
 * - the rate-limit pause comes before the budget so a request that must wait for a server reset
 *   does not hold a budget slot meanwhile;
 * - the budget sits just above the wire, so it counts exactly the requests the server sees,
 *   retries included. OAuth2 token requests go straight to the base: another host, another limit.
 *
 * The circuit breaker is not in this chain: it counts polls, so the engine consults it per poll.
 */
export function composeTransport(options: ComposeOptions): HttpTransport {
  const { config, clock, events } = options;
  const resilience = config.resilience;
  const base =
    options.base ??
    httpTransport({
      timeoutMs: resilience.timeout_secs * 1000,
      maxResponseBytes: config.max_response_bytes,
      dispatcher: options.dispatcher,
      events,
    });
  const capMs = headerWaitCapMs(resilience.retries.max_backoff_secs);

  let chain = base;
  const budget = options.budgets.budgetFor(options.source, resilience.rate_limit);
  if (budget !== undefined) chain = budgetTransport(chain, budget);
  if (resilience.rate_limit.respect_headers) chain = rateLimitHeadersTransport(chain, { clock, capMs, events });
  const unauthenticated = chain;
  const authenticated = authTransport(chain, config.auth, options.secrets, { clock, tokenTransport: base });
  // A request shaped by a JS hook's buildRequest carries the hook's credentials instead (Helr's rule).
  chain = { send: (request, context) => (context.hookCredentials ? unauthenticated : authenticated).send(request, context) };
  return retryTransport(chain, {
    retries: resilience.retries,
    clock,
    respectHeaders: resilience.rate_limit.respect_headers,
    headerWaitCapMs: capMs,
    random: options.random,
    events,
    advise: options.advise,
  });
}
