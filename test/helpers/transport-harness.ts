import type { TestContext } from 'node:test';
import type { Clock } from '../../src/clock.js';
import type { AuthConfig, ResilienceConfig } from '../../src/config/schema.js';
import { BudgetRegistry } from '../../src/resilience/budget.js';
import type { Advisor } from '../../src/http/failure.js';
import { composeTransport } from '../../src/app/compose.js';
import type { ResolvedSource } from '../../src/config/resolved.js';
import { createDispatcher } from '../../src/http/http-transport.js';
import { EventBus } from '../../src/bus/event-bus.js';
import type { HttpRequest, HttpTransport, RequestContext, TransportEventMap } from '../../src/http/transport.js';
import { resilience } from './resilience-config.js';
import { FakeClock } from './clock.js';
import { testDispatcher, type Cleanups } from './loopback.js';
import { SecretResolver } from '../../src/secrets/resolver.js';

export interface Harness {
  transport: HttpTransport;
  clock: FakeClock;
  retries: { attempt: number; delayMs: number; reason: string }[];
}

export interface HarnessOptions {
  resilience?: ResilienceConfig;
  auth?: AuthConfig;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  budgets?: BudgetRegistry;
  source?: string;
  advise?: Advisor;
}

/** The full chain composeTransport builds, over a real undici agent, with a fake clock. */
export function harness(t: TestContext, options: HarnessOptions = {}): Harness {
  const clock = new FakeClock();
  const retries: Harness['retries'] = [];
  const events = new EventBus<TransportEventMap>();
  events.on('http.retry', (info) => retries.push({ attempt: info.attempt, delayMs: info.delayMs, reason: info.reason }));
  const transport = composeTransport({
    source: options.source ?? 'test-source',
    config: { resilience: options.resilience ?? resilience(), auth: options.auth },
    secrets: new SecretResolver({ env: options.env ?? {}, path: '/nonexistent/hel-secrets.enc' }),
    clock: options.clock ?? clock,
    budgets: options.budgets ?? new BudgetRegistry(options.clock ?? clock),
    dispatcher: testDispatcher(t),
    advise: options.advise,
    events,
  });
  return { transport, clock, retries };
}

export function post(url: string, body = '{}'): HttpRequest {
  return { method: 'POST', url, headers: { 'content-type': 'application/json' }, body };
}

export function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return { source: 'test-source', signal: new AbortController().signal, page: 1, ...overrides };
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/**
 * `Runtime`'s `transportFor` as `hel run` composes it — each source's auth and resilience, one
 * budget registry — over one real undici agent, destroyed when the test ends.
 */
export function runtimeTransports(t: Cleanups, clock: Clock): (source: ResolvedSource) => HttpTransport {
  const dispatcher = createDispatcher({});
  t.after(() => dispatcher.destroy());
  const budgets = new BudgetRegistry(clock);
  const secrets = new SecretResolver({ env: {}, path: '/nonexistent' });
  return (s) => composeTransport({ source: s.name, config: { auth: s.auth, resilience: s.resilience }, secrets, clock, budgets, dispatcher });
}
