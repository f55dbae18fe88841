import type { ResolvedSource } from '../../config/resolved.js';
import { describeError } from '../../errors/format.js';
import type { SecretReader } from '../../secrets/resolver.js';
import type { CheckLine, Probe } from '../integration.js';
import { googleHint } from './troubleshoot.js';

/**
 * Gets a token for the source's service account (the JWT-bearer grant proves the key, the subject
 * and the delegated scopes) and reads one activity of its application (proves the admin's rights).
 */
export async function checkGoogleConnection(source: ResolvedSource, _secrets: SecretReader, _now: number, signal: AbortSignal, probe: Probe): Promise<CheckLine[]> {
  const url = new URL(source.url);
  const application = /\/applications\/([^/]+)\/?$/.exec(url.pathname)?.[1] ?? 'this application';
  let result;
  try {
    result = await probe(source, `${url.origin}${url.pathname}?maxResults=1`, signal, googleHint);
  } catch (err) {
    return [{ level: 'fail', text: describeError(err) }];
  }
  if (!result.ok) return [{ level: 'fail', text: result.hint === undefined ? result.message : `${result.message}: ${result.hint}` }];
  const body = result.response.parsed as { items?: unknown[] } | undefined;
  return [
    { level: 'ok', text: `the service account got a token and may read ${application} activities` },
    { level: 'info', text: (body?.items?.length ?? 0) === 0 ? `no ${application} activity is listed yet` : `the newest ${application} activity is readable` },
  ];
}
