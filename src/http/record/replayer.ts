import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedSource } from '../../config/resolved.js';
import { HelError, cancelled } from '../../errors.js';
import { redactUrl } from '../redact-url.js';
import type { HttpRequest, HttpTransport } from '../transport.js';
import { decodeBody, encodeBody, headerValue, helrSourceFolder, recordingFileName, sourceFolder, type Recording } from './format.js';
import { requestMatches } from './match.js';
import { positionParams } from '../watermark.js';
import { readRecordings } from './read-recordings.js';
import { Redactor } from './redact.js';

const RERECORD_HINT = 're-record with: hel run --once --record-dir DIR (the config, the stored state or the API changed since the recording)';
/** Enough of the list to see what was recorded without flooding the terminal. */
const LISTED_RECORDINGS = 8;

/**
 * Serves a source's requests from its recordings, with no network: each request gets the first
 * not-yet-used recording that matches it (see match.ts), so repeated identical requests get their
 * responses in recorded order, and recordings nobody asks for (OAuth2 token requests) are skipped.
 */
export function replayTransport(dir: string, source: ResolvedSource): HttpTransport {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new HelError('HEL_USAGE', `--replay-dir ${dir}: no such directory`, { source: source.name, hint: 'record one first with --record-dir' });
  }
  // Hel's own folder, else the one Helr's --record-dir wrote for this name.
  const own = join(dir, sourceFolder(source.name));
  const folder = existsSync(own) ? own : join(dir, helrSourceFolder(source.name));
  let recordings: Recording[] | undefined;
  const used = new Set<number>();
  const ignored = new Set(positionParams(source));

  return {
    send(request, context) {
      if (context.signal.aborted) return Promise.reject(cancelled(source.name));
      recordings ??= readRecordings(folder, source.name);
      if (recordings === undefined) {
        return Promise.reject(
          new HelError('HEL_REPLAY_MISMATCH', `no recordings for source ${source.name}: ${folder} does not exist`, {
            source: source.name,
            url: redactUrl(request.url),
            hint: 're-record with --record-dir (including this source), or leave it out with --source',
          }),
        );
      }
      const index = recordings.findIndex((r, i) => !used.has(i) && (r.inOrder === true || requestMatches(r.request, request, ignored)));
      if (index === -1) return Promise.reject(mismatch(source.name, folder, request, recordings, used));
      used.add(index);
      const { response } = recordings[index]!;
      return Promise.resolve({ status: response.status, headers: { ...response.headers }, body: decodeBody(response) ?? Buffer.alloc(0), url: request.url });
    },
  };
}

function mismatch(source: string, folder: string, request: HttpRequest, recordings: Recording[], used: Set<number>): HelError {
  const listed = recordings.slice(0, LISTED_RECORDINGS).map((r, i) => `${recordingFileName(r.seq)} ${describe(r.request.method, r.request.url, r.request.body)}${used.has(i) ? ' (used)' : ''}`);
  if (recordings.length > LISTED_RECORDINGS) listed.push(`... ${recordings.length - LISTED_RECORDINGS} more`);
  const available = recordings.length === 0 ? 'none' : listed.join('; ');
  const body = new Redactor().body(encodeBody(request.body === undefined ? undefined : Buffer.from(request.body, 'utf8'), headerValue(request.headers, 'content-type')), request.headers).body;
  return new HelError(
    'HEL_REPLAY_MISMATCH',
    `replay of source ${source}: no unused recording matches ${describe(request.method, redactUrl(request.url), body)}; recordings in ${folder}: ${available}`,
    { source, url: redactUrl(request.url), hint: RERECORD_HINT },
  );
}

function describe(method: string, url: string, body: unknown): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const target = parsed ? parsed.pathname + parsed.search : url;
  return body === null || body === undefined || body === '' ? `${method} ${target}` : `${method} ${target} body ${summarize(body)}`;
}

function summarize(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
