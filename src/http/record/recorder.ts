import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedSource } from '../../config/resolved.js';
import { HelError } from '../../errors.js';
import type { SecretReader } from '../../secrets/resolver.js';
import { secretRefsOf } from '../../config/secret-refs.js';
import type { HttpRequest, HttpResponse, HttpTransport } from '../transport.js';
import { RECORDING_FORMAT, encodeBody, headerValue, recordingFileName, seqOfFileName, sourceFolder, type Recording } from './format.js';
import { Redactor } from './redact.js';

export interface RecordingOptions {
  secrets: SecretReader;
  /** The transport that really sends (the source's undici transport, with its TLS and timeouts). */
  inner: HttpTransport;
}

/**
 * Wraps the base transport and saves every request/response pair of a run, redacted, as
 * `<dir>/<source>/0001.json`, `0002.json`, ... in the order the responses arrived. The first
 * response of a run replaces the source's earlier recording files, so a re-recording never
 * interleaves with an old one. Requests that get no response (network errors) are not recorded.
 */
export function recordingTransport(dir: string, source: ResolvedSource, options: RecordingOptions): HttpTransport {
  const inner = options.inner;
  const folder = join(dir, sourceFolder(source.name));
  const redactor = new Redactor(source.auth?.type === 'api_key' ? [source.auth.header] : []);
  let prepared: Promise<void> | undefined;
  let seq = 0;

  return {
    async send(request, context) {
      const response = await inner.send(request, context);
      const number = ++seq;
      prepared ??= clearFolder(folder).catch((err: unknown) => {
        throw writeError(source.name, folder, err);
      });
      await prepared;
      learnConfiguredSecrets(redactor, source, options.secrets);
      await writeAtomically(folder, recordingFileName(number), toRecording(source.name, number, request, response, redactor), source.name);
      return response;
    },
  };
}

/** Read on every request, like the auth wrapper, so a rotated token file is redacted too. */
function learnConfiguredSecrets(redactor: Redactor, source: ResolvedSource, secrets: SecretReader): void {
  if (source.auth === undefined) return;
  const values = new Map<string, string>();
  for (const ref of secretRefsOf(source.auth)) {
    try {
      values.set(ref.prefix, secrets.read(ref));
    } catch {
      // A credential that cannot be read cannot have been sent either.
    }
  }
  for (const value of values.values()) redactor.addSecret(value);
  if (source.auth.type === 'basic') {
    // The credential as it travels, in case an API echoes the Authorization header in a body.
    redactor.addSecret(Buffer.from(`${values.get('user') ?? ''}:${values.get('password') ?? ''}`, 'utf8').toString('base64'));
  }
}

function toRecording(sourceName: string, seq: number, request: HttpRequest, response: HttpResponse, redactor: Redactor): Recording {
  const requestBody = encodeBody(request.body === undefined ? undefined : Buffer.from(request.body, 'utf8'), headerValue(request.headers, 'content-type'));
  const responseBody = encodeBody(response.body, response.headers['content-type']);
  redactor.learnFromUrl(request.url);
  redactor.learnFromBody(requestBody);
  redactor.learnFromBody(responseBody);
  return {
    format: RECORDING_FORMAT,
    source: sourceName,
    seq,
    request: {
      method: request.method,
      url: redactor.url(request.url),
      headers: redactor.headers(request.headers),
      ...redactor.body(requestBody, request.headers),
    },
    response: {
      status: response.status,
      headers: redactor.headers(response.headers),
      ...redactor.body(responseBody, response.headers),
    },
  };
}

async function clearFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const name of await readdir(folder)) {
    if (seqOfFileName(name) !== undefined) await rm(join(folder, name), { force: true });
  }
}

/** Temp file + rename: a crash leaves either the whole recording or none of it. */
async function writeAtomically(folder: string, name: string, recording: Recording, sourceName: string): Promise<void> {
  const path = join(folder, name);
  const temp = join(folder, `.${name}.${process.pid}.tmp`);
  try {
    await writeFile(temp, JSON.stringify(recording, null, 2) + '\n', { mode: 0o600 });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeError(sourceName, path, err);
  }
}

function writeError(source: string, path: string, err: unknown): HelError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new HelError('HEL_OUTPUT', `cannot write the recording ${path} (${code})`, { source, hint: 'check --record-dir: path, free space and permissions' }, { cause: err });
}
