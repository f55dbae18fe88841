import type { ResolvedSource } from '../../config/resolved.js';
import { isHelError } from '../../errors.js';
import type { SecretReader } from '../../secrets/resolver.js';
import { secretRefsOf } from '../../config/secret-refs.js';
import { introspect } from './introspect.js';
import { daysPhrase } from '../../secrets/expiry.js';
import { EXPIRY_WARNING_DAYS, daysUntilExpiry, decodeEventsToken, tokenFeatures, tokenHost } from './jwt.js';
import { regionOfHost, streamOfUrl } from './regions.js';

export interface CheckLine {
  level: 'ok' | 'info' | 'warn' | 'fail';
  text: string;
}

const FEATURE_NAMES: Record<string, string> = { auditevents: 'Audit events', signinattempts: 'Sign-in attempts', itemusages: 'Item usage' };

/**
 * SureCloud's "Test Connection" for one 1Password source: who the token is, what it may read,
 * when it expires, and whether it belongs to the configured region — before any event request.
 */
export async function checkOnePasswordConnection(source: ResolvedSource, secrets: SecretReader, now: number, signal: AbortSignal): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const stream = streamOfUrl(source.url)?.stream;
  const ref = source.auth ? secretRefsOf(source.auth)[0] : undefined;
  if (!ref || source.auth?.type !== 'bearer') return [{ level: 'fail', text: 'no bearer token configured (auth: {type: bearer, token_env: ONEPASSWORD_EVENTS_TOKEN})' }];
  let token: string;
  try {
    token = secrets.read(ref);
  } catch (err) {
    return [{ level: 'fail', text: `${isHelError(err) ? err.message : String(err)}: export the bearer token from your Events Reporting integration` }];
  }

  const url = new URL(source.url);
  const claims = decodeEventsToken(token);
  const host = claims ? tokenHost(claims) : undefined;
  if (!claims) lines.push({ level: 'warn', text: 'the token is not a JWT: it cannot be an Events Reporting bearer token' });
  if (host !== undefined && host !== url.host && regionOfHost(url.hostname) === undefined) {
    lines.push({ level: 'warn', text: `the token belongs to ${host}; the source calls ${url.host} (a proxy or mock, not a 1Password region)` });
  } else if (host !== undefined && host !== url.host) {
    lines.push({ level: 'fail', text: `wrong region: this token belongs to ${host}, but the source calls ${url.host} — set the URL (or region) to https://${host}` });
  } else if (host !== undefined) {
    lines.push({ level: 'ok', text: `token belongs to ${host} (matches the configured URL)` });
  }
  const days = claims ? daysUntilExpiry(claims, now) : undefined;
  if (days === undefined) lines.push({ level: 'info', text: 'expiry: never' });
  else if (days < 0) lines.push({ level: 'fail', text: `the token expired on ${new Date(now + days * 86_400_000).toISOString()}: issue a new token in 1Password (Integrations > Events Reporting)` });
  else if (days < EXPIRY_WARNING_DAYS) lines.push({ level: 'warn', text: `the token expires ${daysPhrase(days)}, on ${new Date(now + days * 86_400_000).toISOString()}: rotate it before then` });
  else lines.push({ level: 'info', text: `expiry: ${new Date(now + days * 86_400_000).toISOString()} (${daysPhrase(days)})` });

  const result = await introspect(url.origin, token, signal);
  let features = claims ? tokenFeatures(claims) : undefined;
  if (result.ok) {
    const i = result.info;
    const fromToken = claims?.['1password.com/auuid'];
    const account = i.accountUuid ?? (fromToken === undefined ? 'not reported' : `${fromToken} (from the token)`);
    lines.push({ level: 'ok', text: `introspect (${i.version}): integration ${i.uuid ?? '?'}, account ${account}, issued ${i.issuedAt ?? '?'}` });
    if (i.accountUuid === undefined) {
      lines.push({ level: 'info', text: `the introspect response has no account_uuid (${i.version === 'v1' ? 'the deprecated v1 endpoint never carries it' : 'added to v2 in Events API 1.4.1'})` });
    } else if (fromToken !== undefined && fromToken !== i.accountUuid) {
      lines.push({ level: 'warn', text: `introspect names account ${i.accountUuid}, but the token claims account ${fromToken}` });
    }
    features = i.features;
  } else if (result.status === 401) {
    const why =
      days !== undefined && days < 0
        ? 'it has expired'
        : host !== undefined && host !== url.host && regionOfHost(url.hostname) !== undefined
          ? 'it belongs to another region'
          : 'it is invalid or has been revoked';
    lines.push({
      level: 'fail',
      text: `introspect answered 401 Unauthorized: the token is not accepted — ${why}. Check it is active in 1Password (Integrations > Events Reporting) and within its validity period`,
    });
  } else {
    lines.push({ level: 'warn', text: `introspect failed: ${result.message}` });
  }
  if (features) {
    lines.push({ level: 'info', text: `features on the token: ${features.join(', ') || '(none)'}` });
    if (stream && !features.includes(stream)) {
      lines.push({
        level: 'fail',
        text: `the token lacks the ${stream} feature this stream needs: tokens created without ${FEATURE_NAMES[stream] ?? stream} return empty/401 — issue a token with "${FEATURE_NAMES[stream] ?? stream}" under Events to Report`,
      });
    } else if (stream) {
      lines.push({ level: 'ok', text: `the token has the ${stream} feature` });
    }
  }
  return lines;
}
