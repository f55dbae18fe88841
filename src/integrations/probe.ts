import { systemClock } from '../clock.js';
import type { ResolvedSource } from '../config/load.js';
import { isHelError } from '../errors.js';
import { BudgetRegistry } from '../resilience/budget.js';
import { composeTransport } from '../app/compose.js';
import type { SecretReader } from '../secrets/resolver.js';
import type { HttpResponse } from '../http/transport.js';
import type { Advisor } from '../resilience/troubleshoot.js';
import type { CheckLine } from './integration.js';

export type ProbeResult = { ok: true; response: HttpResponse } | { ok: false; status?: number; message: string; hint?: string };

/**
 * One GET through the source's own auth, without retries: what a connection test sends to see
 * whether the credential is accepted and may read the endpoint.
 */
export async function probe(source: ResolvedSource, url: string, secrets: SecretReader, signal: AbortSignal, advise?: Advisor): Promise<ProbeResult> {
  const transport = composeTransport({
    source: source.name,
    config: { auth: source.auth, resilience: { ...source.resilience, retries: { ...source.resilience.retries, max_attempts: 1 } } },
    secrets,
    clock: systemClock,
    budgets: new BudgetRegistry(systemClock),
    ...(advise === undefined ? {} : { advise }),
  });
  try {
    const response = await transport.send({ method: 'GET', url, headers: source.headers }, { source: source.name, signal, page: 1 });
    return { ok: true, response };
  } catch (err) {
    if (!isHelError(err)) throw err;
    return { ok: false, status: err.context.status, message: err.message, ...(err.context.hint === undefined ? {} : { hint: err.context.hint }) };
  }
}

/** The rate-limit headers of a probe's answer as one info line, when there are any. */
function rateLimitLine(response: HttpResponse): CheckLine[] {
  const found = Object.entries(response.headers).filter(([k]) => /ratelimit|rate-limit/i.test(k));
  return found.length === 0 ? [] : [{ level: 'info', text: `rate limit: ${found.map(([k, v]) => `${k}=${v}`).join(' ')}` }];
}

/** What a vendor's connection test says for each answer of its probe request. */
export interface ProbeTexts {
  ok: string;
  /** Text per failing status; 401 and 403 at least (revoked and under-scoped credentials). */
  statuses: Partial<Record<number, string>>;
}

/** A connection test from a probe URL and the vendor's words for each outcome. */
export function probeConnectionTest(urlOf: (source: ResolvedSource) => string, texts: ProbeTexts, extra?: (response: HttpResponse) => CheckLine[]) {
  return async (source: ResolvedSource, secrets: SecretReader, _now: number, signal: AbortSignal): Promise<CheckLine[]> => {
    let result: ProbeResult;
    try {
      result = await probe(source, urlOf(source), secrets, signal);
    } catch (err) {
      return [{ level: 'fail', text: String(err) }];
    }
    if (result.ok) return [{ level: 'ok', text: texts.ok }, ...rateLimitLine(result.response), ...(extra?.(result.response) ?? [])];
    const advice = result.status === undefined ? undefined : texts.statuses[result.status];
    return [{ level: 'fail', text: advice === undefined ? result.message : `${result.message}: ${advice}` }];
  };
}
