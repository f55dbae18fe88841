import type { ResolvedSource } from '../config/resolved.js';
import { describeError } from '../errors/format.js';
import type { SecretReader } from '../secrets/resolver.js';
import type { HttpResponse } from '../http/transport.js';
import type { CheckLine, Probe, ProbeResult } from './integration.js';

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
  return async (source: ResolvedSource, _secrets: SecretReader, _now: number, signal: AbortSignal, probe: Probe): Promise<CheckLine[]> => {
    let result: ProbeResult;
    try {
      result = await probe(source, urlOf(source), signal);
    } catch (err) {
      return [{ level: 'fail', text: describeError(err) }];
    }
    if (result.ok) return [{ level: 'ok', text: texts.ok }, ...rateLimitLine(result.response), ...(extra?.(result.response) ?? [])];
    const advice = result.status === undefined ? undefined : texts.statuses[result.status];
    return [{ level: 'fail', text: advice === undefined ? result.message : `${result.message}: ${advice}` }];
  };
}
